/**
 * The token-endpoint checks of the tokens in the body (auth-server contract, checks 3–5), each
 * failure mapped to the contract's code and status. Every verification is core's: this module
 * adds the auth server's own state (realm membership, single-use `jti`) and error mapping.
 */
import { AAuthError, TokenError, extend, verifyAuthToken, verifyResourceToken, type AuthTokenClaims, type ResourceTokenClaims } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import { authAgeReason, authTimeOf, ownTokenReason } from '../policy/chaining.js';
import { knownResource } from '../policy/decide.js';
import { refreshWindowFor } from '../realm/agent-settings.js';
import { resolveSubject } from '../policy/subject.js';
import type { AuthenticatedAgent } from '../request/types.js';
import type { JtiVerdict } from '../stores/jti-store.js';

/** Token-endpoint status for `invalid_auth_token` is 400 (contract), not core's default 401. */
const AUTH_TOKEN_STATUS = 400;
/** `exp` is checked with this skew, so a `jti` is remembered that much longer. */
const SKEW = 60;

/**
 * A token failure becomes `invalid_auth_token` with status 400. Core's `key_binding_failed` (the
 * request's key is not the token's `cnf.jwk`) keeps its own code and 401 (2026-03 §Error
 * Responses, "key_binding_failed").
 */
function asAuthTokenError(err: unknown, what: string): never {
  if (err instanceof AAuthError && err.code === 'invalid_auth_token') {
    throw new TokenError('invalid_auth_token', `${what}: ${err.message}`, err.detail, { status: AUTH_TOKEN_STATUS });
  }
  throw err;
}

/**
 * Check 3: `typ`; `iss` an enabled resource of the realm (else `access_denied`, before any fetch);
 * signature with the key from `{iss}/.well-known/aauth-resource.json`; `aud` = our issuer;
 * `agent` = the requester; `agent_jkt` = the signing key's thumbprint; `exp`; `jti` present and
 * unused (remembered until `exp`).
 */
export async function verifyPresentedResourceToken(ctx: AuthServerContext, token: string, caller: AuthenticatedAgent, now: number): Promise<ResourceTokenClaims> {
  const claims = await verifyResourceToken(token, {
    checkIssuer: (iss) => {
      if (!knownResource(ctx.realm, iss)) throw new AAuthError('access_denied', `resource ${iss} is not an enabled resource of realm ${ctx.realm.name}`, { field: 'iss', reason: 'unknown', actual: iss });
    },
    keys: ctx.discovery,
    identifiers: { allowLoopbackHttp: ctx.realm.settings.allowLoopback },
    audience: ctx.issuer(),
    agent: caller.agentId,
    agentJkt: caller.jkt,
    now,
  });
  if (typeof claims.jti !== 'string' || claims.jti.length === 0) {
    throw new TokenError('invalid_resource_token', 'resource token has no "jti"; this auth server accepts each resource token once', { field: 'jti', reason: 'missing' });
  }
  const verdict = await ctx.jtis.use(claims.iss, claims.jti, claims.exp + SKEW, now, caller.agentId, claims.iat);
  if (verdict === 'replayed') throw new TokenError('invalid_resource_token', 'resource token "jti" has already been used', { field: 'jti', reason: 'replayed', actual: claims.jti });
  if (verdict === 'forgotten') throw new TokenError('invalid_resource_token', FORGOTTEN('resource token', 'ask the resource for a new one'), { field: 'iat', reason: 'store_reset' });
  refuseWhenFull(verdict, 'resource tokens');
  return claims;
}

/** A shared store that lost its memory cannot tell whether a token it had seen was used. */
const FORGOTTEN = (what: string, then: string): string => `this ${what} was issued before this server's record of used tokens began (it was reset), so its single use cannot be checked; ${then}`;

/** A bounded jti store that cannot take one more entry answers 503 (contract: "Bounded stores"). */
function refuseWhenFull(verdict: JtiVerdict, what: string): void {
  if (verdict === 'full') throw new AAuthError('server_error', `too many ${what} in flight; retry shortly`, { reason: 'store_full' }, { status: 503, headers: { 'Retry-After': '5' } });
  if (verdict === 'agent_full') throw new AAuthError('server_error', `this agent has too many ${what} in flight; retry shortly`, { reason: 'agent_quota' }, { status: 503, headers: { 'Retry-After': '5' } });
}

/** A user and an authorization carried from a verified token into a new one. */
export interface CarriedGrant {
  /** The local user's id (`sub` of the new token), if the token names a user. */
  readonly sub: string | undefined;
  /** When that user authorized the grant: the new token's `auth_time`. */
  readonly authTime: number | undefined;
}

function invalidAuthToken(message: string, field: string, reason: string): TokenError {
  return new TokenError('invalid_auth_token', message, { field, reason }, { status: AUTH_TOKEN_STATUS });
}

/**
 * The user and the authorization time a verified auth token carries: its `sub` resolved to an
 * enabled local user (a foreign `sub` only through an explicit link), and an `auth_time` within
 * the realm's `aauth.maxAuthAge`.
 */
function carriedGrant(ctx: AuthServerContext, claims: AuthTokenClaims, what: string, now: number): CarriedGrant {
  // Without a user there is no one's authorization to age: the agent acts on its own.
  if (claims.sub === undefined) return { sub: undefined, authTime: undefined };
  const authTime = authTimeOf(claims);
  const tooOld = authAgeReason(ctx.realm, authTime, now);
  if (tooOld !== undefined) throw invalidAuthToken(`${what}: ${tooOld}`, 'auth_time', 'max_auth_age');
  const verdict = resolveSubject(ctx.realm, ctx.issuer(), claims.iss, claims.sub);
  if (verdict.outcome === 'unlinked') throw invalidAuthToken(`${what}: ${verdict.reason}`, 'sub', 'unlinked');
  if (verdict.outcome === 'refuse') throw new AAuthError('access_denied', `${what}: ${verdict.reason}`, { field: 'sub', reason: 'user' });
  return { sub: verdict.user.id, authTime };
}

/**
 * Check 4: `typ` `auth+jwt`; `iss` = our issuer or a realm-trusted issuer; signature (our realm
 * keys, or the trusted issuer's JWKS via `aauth-issuer.json`); `aud` = the requesting agent;
 * not expired. Its `cnf.jwk` names the agent that called the intermediary, not the intermediary
 * itself, so it is not compared with the request's key: the `aud` check binds the token to the
 * requester (2026-03 §Call Chaining; wire notes §6.1).
 */
export async function verifyUpstreamToken(ctx: AuthServerContext, token: string, caller: AuthenticatedAgent, now: number): Promise<CarriedGrant & { readonly priorActors: readonly string[] }> {
  let claims: AuthTokenClaims;
  try {
    // The kept verdict of a token verified for another requester does not count: verified afresh, it is refused.
    claims = await ctx.upstreamTokens.claims(token, ctx.issuerKeys, now, (keys) => verifyAuthToken(token, {
      keys,
      trustedIssuers: [ctx.issuer(), ...ctx.realm.settings.trustedIssuers],
      audience: caller.agentId,
      now,
    }), (kept) => kept.aud === caller.agentId);
  } catch (err) {
    asAuthTokenError(err, 'upstream_token');
  }
  const own = ownTokenReason(caller.agentId, { aud: claims.aud, agent: claims.agent, act: claims.act });
  if (own !== undefined) throw invalidAuthToken(`upstream_token is not an upstream token: ${own}`, 'agent', 'own_token');
  // The actor before the requester is the token's agent, as in token exchange (contract "RFC 8693 token exchange").
  return extend(carriedGrant(ctx, claims, 'upstream_token', now), { priorActors: [claims.agent] });
}

/**
 * When an auth token may be refreshed (2026-03 §Token Refresh: the agent presents its *expired*
 * token; the server "MAY reject the refresh if the token has been expired beyond its refresh
 * window"): from `exp` (from `exp` − 60 s, the clock skew, so an agent whose clock runs ahead is
 * not refused) until `exp` + `window`; before that only when early refresh is on. Undefined = may.
 */
export function refreshTimeRefusal(exp: number, now: number, window: number, earlyRefresh: boolean): { reason: 'refresh_window' | 'not_expired'; message: string } | undefined {
  if (exp + window < now) return { reason: 'refresh_window', message: `auth_token expired more than ${window} s ago (the refresh window); start over with a resource token` };
  if (!earlyRefresh && exp - SKEW > now) return { reason: 'not_expired', message: 'auth_token has not expired; this realm refreshes expired auth tokens only (aauth.earlyRefresh = "false")' };
  return undefined;
}

/**
 * Check 5 (refresh): issued by us, signature valid, `agent` = requester, `cnf.jwk` = the signing
 * key (else `key_binding_failed`), within the refresh time (`refreshTimeRefusal`, with the agent's
 * or the realm's `aauth.refreshWindow`), authorized no longer ago than `aauth.maxAuthAge`, naming a
 * user who still exists and is enabled; and not refreshed before: the `jti` is used up here (RFC
 * 9700 §4.14.2, refresh token rotation), last, so a refused attempt never spends it, and
 * remembered until the token could no longer be refreshed anyway.
 */
export async function verifyRefreshToken(ctx: AuthServerContext, token: string, caller: AuthenticatedAgent, now: number): Promise<{ claims: AuthTokenClaims; carried: CarriedGrant }> {
  let claims: AuthTokenClaims;
  try {
    claims = await verifyAuthToken(token, {
      keys: ctx.issuerKeys,
      trustedIssuers: [ctx.issuer()],
      agent: caller.agentId,
      cnfThumbprint: caller.jkt,
      allowExpired: true,
      now,
    });
  } catch (err) {
    asAuthTokenError(err, 'auth_token');
  }
  const window = refreshWindowFor(ctx.realm, caller.agentId);
  const refusal = refreshTimeRefusal(claims.exp, now, window, ctx.realm.settings.earlyRefresh);
  if (refusal !== undefined) throw invalidAuthToken(refusal.message, 'exp', refusal.reason);
  const carried = carriedGrant(ctx, claims, 'auth_token', now);
  if (typeof claims.jti !== 'string' || claims.jti.length === 0) throw invalidAuthToken('auth_token has no "jti"', 'jti', 'missing');
  const verdict = await ctx.jtis.use(claims.iss, claims.jti, claims.exp + window + SKEW, now, caller.agentId, claims.iat);
  if (verdict === 'replayed') throw invalidAuthToken('auth_token has already been refreshed; refresh the token that refresh returned', 'jti', 'replayed');
  if (verdict === 'forgotten') throw invalidAuthToken(FORGOTTEN('auth_token', 'request a new authorization'), 'iat', 'store_reset');
  refuseWhenFull(verdict, 'refreshed tokens');
  return { claims, carried };
}
