/**
 * `POST {issuer}/protocol/aauth/token-exchange` with
 * `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693; auth-server contract,
 * "RFC 8693 token exchange"). The client is authenticated the AAuth way: the request is signed
 * (RFC 9421 + Signature-Key, same checks as the AAuth token endpoint), and the signer is the actor.
 *
 * Steps:
 *  1. the form parses (`invalid_request`, `unsupported_grant_type`);
 *  2. request signature and actor identity (`invalid_signature` / `invalid_agent_token`);
 *  3. `actor_token`, if sent: an agent token of the same agent, bound to the signing key (`invalid_grant`);
 *  4. `subject_token`: an `auth+jwt` or an exchanged `at+jwt` from this realm or a trusted issuer,
 *     or an access token of one of the realm's OpenID identity providers (`identityProviders`),
 *     whose subject is not the actor itself (`invalid_request`), unexpired, authorized within `aauth.maxAuthAge`, naming an enabled local user — a foreign
 *     `sub` only through an explicit link (`invalid_grant`; a deleted or disabled user `access_denied`);
 *  5. policy: `may_act` / audience, the user's `aauth.mayAct`, target, scopes (`exchange-policy.ts`),
 *     then the chain policy on the new chain (`access_denied`);
 *  6. a delegated token (`at+jwt`) with the nested `act`, bound to the actor's key, living no
 *     longer than the subject token.
 */
import { AAuthError, TOKEN_EXCHANGE, extend, actChain, TokenError, jwkThumbprint, peekClaims, peekTyp, verifyAgentToken, verifyAuthToken, verifyDelegatedToken, verifyOidcAccessToken, createDelegatedToken, type DecisionSubject } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import { authAgeReason, authTimeOf } from '../policy/chaining.js';
import { enforceChainPolicy } from '../policy/chain-policy.js';
import { resolveSubject } from '../policy/subject.js';
import { authenticateRequest } from '../request/authenticate.js';
import type { AuthenticatedAgent, IncomingRequest } from '../request/types.js';
import type { EndpointResponse } from '../token/response.js';
import { decideExchange, type SubjectToken } from './exchange-policy.js';
import { parseExchangeRequest } from './parse-exchange-request.js';

function grantError(err: unknown, what: string): never {
  if (err instanceof AAuthError && err.status < 500) {
    throw new TokenError('invalid_grant', `${what}: ${err.message}`, { ...err.detail, cause: err });
  }
  throw err;
}

async function verifyActorToken(ctx: AuthServerContext, token: string, caller: AuthenticatedAgent, now: number): Promise<void> {
  try {
    const claims = await verifyAgentToken(token, { keys: ctx.discovery, identifiers: { allowLoopbackHttp: ctx.realm.settings.allowLoopback }, audience: ctx.issuer(), now });
    if (claims.iss !== caller.agentId) throw new TokenError('invalid_grant', `actor_token names agent ${claims.iss}, but the request is signed by ${caller.agentId}`, { field: 'iss', reason: 'mismatch' });
    if (jwkThumbprint(claims.cnf.jwk) !== caller.jkt) throw new TokenError('invalid_grant', 'actor_token "cnf.jwk" is not the key that signed the request', { field: 'cnf', reason: 'mismatch' });
  } catch (err) {
    grantError(err, 'actor_token');
  }
}

interface VerifiedSubject {
  readonly iss: string;
  readonly sub: string;
  readonly authTime: number | undefined;
  readonly exp: number;
  readonly token: Omit<SubjectToken, 'user'>;
}

async function verifySubjectToken(ctx: AuthServerContext, token: string, now: number): Promise<VerifiedSubject> {
  const trustedIssuers = [ctx.issuer(), ...ctx.realm.settings.trustedIssuers];
  try {
    // An identity provider's access token is routed by its issuer: OpenID providers type their access tokens
    // variously (`JWT`, `at+jwt`, none), and an identity provider is trusted for these alone, never for AAuth tokens.
    const provider = ctx.realm.identityProviders.get(peekClaims(token, TOKEN_EXCHANGE.errors.invalidGrant).iss as string);
    if (provider?.enabled === true) {
      const claims = await verifyOidcAccessToken(token, { issuer: provider.issuer, jwksUri: provider.jwksUrl, keys: ctx.discovery, now });
      return { iss: claims.iss, sub: claims.sub, authTime: authTimeOf(claims), exp: claims.exp, token: { aud: claims.issuedTo, agent: undefined, act: claims.act, mayAct: claims.may_act, scope: undefined } };
    }
    if (peekTyp(token) === TOKEN_EXCHANGE.accessTokenTyp) {
      const claims = await verifyDelegatedToken(token, { keys: ctx.issuerKeys, trustedIssuers, now });
      return { iss: claims.iss, sub: claims.sub, authTime: authTimeOf(claims), exp: claims.exp, token: { aud: claims.aud, agent: undefined, act: claims.act, mayAct: claims.may_act, scope: claims.scope } };
    }
    const claims = await verifyAuthToken(token, { keys: ctx.issuerKeys, trustedIssuers, now });
    if (claims.sub === undefined) throw new TokenError('invalid_grant', 'the subject token names no user ("sub")', { field: 'sub', reason: 'missing' });
    return { iss: claims.iss, sub: claims.sub, authTime: authTimeOf(claims), exp: claims.exp, token: { aud: claims.aud, agent: claims.agent, act: undefined, mayAct: claims.may_act, scope: claims.scope } };
  } catch (err) {
    grantError(err, 'subject_token');
  }
}

/**
 * RFC 8693 §4.1: `act` names a party to whom the subject's authority is delegated, so a subject
 * token whose `sub` is the actor itself delegates nothing (the actor already holds its own
 * authority; for a user's token the `sub` is never an agent). The token is valid; the request
 * combining it with this actor is not: `invalid_request`, the code §2.2.2 gives for a subject token
 * unacceptable by policy.
 */
function selfDelegationReason(verified: VerifiedSubject, actor: string): string | undefined {
  if (verified.sub !== actor) return undefined;
  return `subject_token: its subject is the actor itself (${actor}); an exchange delegates a subject's authority to another party, and no party acts for itself`;
}

/** The subject token's user, resolved to an enabled local user, and its authorization still young enough. */
function subjectOf(ctx: AuthServerContext, verified: VerifiedSubject, now: number): SubjectToken {
  const tooOld = authAgeReason(ctx.realm, verified.authTime, now);
  if (tooOld !== undefined) throw new TokenError('invalid_grant', `subject_token: ${tooOld}`, { field: 'auth_time', reason: 'max_auth_age' });
  const verdict = resolveSubject(ctx.realm, ctx.issuer(), verified.iss, verified.sub);
  if (verdict.outcome === 'unlinked') throw new TokenError('invalid_grant', `subject_token: ${verdict.reason}`, { field: 'sub', reason: 'unlinked' });
  if (verdict.outcome === 'refuse') throw new AAuthError('access_denied', `subject_token: ${verdict.reason}`, { field: 'sub', reason: 'user' });
  return extend(verified.token, { user: verdict.user });
}

/** `about` is filled in with what has been verified so far, for the decision log line. */
export async function handleTokenExchange(ctx: AuthServerContext, request: IncomingRequest, about: DecisionSubject): Promise<EndpointResponse> {
  const now = ctx.now();
  const body = parseExchangeRequest(request.headers['content-type'] as string | undefined, request.body);
  const caller = await authenticateRequest(request, { realm: ctx.realm, issuer: ctx.issuer(), keys: ctx.discovery, agentTokens: ctx.agentTokens, now });
  Object.assign(about, { agent: caller.agentId, resource: body.target, scope: body.scope?.split(' ').filter((s) => s.length > 0) });
  if (body.actorToken !== undefined) await verifyActorToken(ctx, body.actorToken, caller, now);
  const verified = await verifySubjectToken(ctx, body.subjectToken, now);
  const self = selfDelegationReason(verified, caller.agentId);
  if (self !== undefined) throw new AAuthError('invalid_request', self, { field: 'subject_token', reason: 'self_delegation' });
  const subject = subjectOf(ctx, verified, now);
  about.user = subject.user.id;
  const exp = verified.exp;
  const decision = decideExchange(ctx.realm, { actor: caller.agentId, subject, target: body.target, scope: body.scope });
  if (decision.outcome === 'refuse') throw new AAuthError(decision.code, decision.reason, { reason: 'policy' });
  await enforceChainPolicy(ctx, { agent: caller.agentId, user: { iss: ctx.issuer(), sub: subject.user.id }, resource: body.target as string, scope: decision.scopes, act: actChain(decision.act) }, about);
  const lifetime = Math.max(1, Math.min(ctx.realm.accessTokenLifespan, exp - now));
  const scope = decision.scopes.join(' ');
  about.scope = decision.scopes;
  const token = await createDelegatedToken(ctx.keys.active, {
    iss: ctx.issuer(), aud: body.target as string, sub: subject.user.id, act: decision.act, cnfJwk: caller.jwk, scope, lifetimeSeconds: lifetime, now,
  });
  const r = TOKEN_EXCHANGE.response;
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store' },
    body: { [r.accessToken]: token, [r.issuedTokenType]: TOKEN_EXCHANGE.tokenTypes.jwt, [r.tokenType]: TOKEN_EXCHANGE.tokenTypeValue, [r.expiresIn]: lifetime, [r.scope]: scope },
  };
}
