/**
 * Auth tokens, `typ: auth+jwt` (2026-03 §Auth Tokens; wire notes §2.1): issued by an auth server,
 * bound to the agent's key by `cnf.jwk`, naming the immediate caller in `agent`. Tokens we issue
 * carry no `act`; tokens we verify may carry it and any other registered claim (§Auth Token Structure).
 */
import { timingSafeEqual } from 'node:crypto';
import { TokenError } from '../errors.js';
import { jwkThumbprint } from '../jwk/thumbprint.js';
import { toPublicJwk } from '../jwk/keys.js';
import { extend } from '../lib/extend.js';
import type { PublicJwk, SigningKey } from '../jwk/types.js';
import { PROFILE } from '../profile/index.js';
import { checkHeader, fetchIssuerKey, issueJwt, peekClaims, requireCnfJwk, requireString, verifySignatureAndTime } from './jwt.js';
import { checkRegisteredClaims } from './registered-claims.js';
import type { AuthTokenClaims, IssuerKeySource, TimeOptions } from './types.js';

const CODE = 'invalid_auth_token';

export interface CreateAuthTokenInput {
  readonly iss: string;
  /** The resource (or the agent itself, for self-access). */
  readonly aud: string;
  /** The immediate caller's agent identifier. */
  readonly agent: string;
  readonly cnfJwk: PublicJwk;
  readonly sub?: string;
  readonly scope?: string;
  readonly txn?: string;
  readonly lifetimeSeconds: number;
  readonly now?: number;
  readonly claims?: Readonly<Record<string, unknown>>;
}

export function createAuthToken(key: SigningKey, input: CreateAuthTokenInput): Promise<string> {
  const claims: Record<string, unknown> = extend(input.claims ?? {}, { iss: input.iss, aud: input.aud, agent: input.agent, cnf: { jwk: toPublicJwk(input.cnfJwk) } });
  delete claims.act;
  if (input.sub !== undefined) claims.sub = input.sub;
  if (input.scope !== undefined) claims.scope = input.scope;
  if (input.txn !== undefined) claims.txn = input.txn;
  return issueJwt(key, PROFILE.typ.auth, claims, { lifetimeSeconds: input.lifetimeSeconds, ...(input.now === undefined ? {} : { now: input.now }) });
}

export interface VerifyAuthTokenOptions extends TimeOptions {
  readonly keys: IssuerKeySource;
  /** Issuers whose tokens are accepted, by exact string. */
  readonly trustedIssuers: readonly string[];
  /** Acceptable `aud` values (this resource; or the agent id for self-access). */
  readonly audience?: string | readonly string[];
  /** The agent the signing context identified. */
  readonly agent?: string;
  /** Thumbprint of the HTTP signing key that `cnf.jwk` must match. */
  readonly cnfThumbprint?: string;
  /** Accept an expired token (refresh grant only). */
  readonly allowExpired?: boolean;
}

/**
 * Steps: 1 `typ`/`alg`; 2 `iss` is trusted; 3 key from `{iss}/.well-known/aauth-issuer.json`;
 * 4 signature, `exp` (unless refreshing), `iat`; 5 `aud`; 6 `agent`; 7 `cnf.jwk` equals the signing
 * key (thumbprints, constant time) → `key_binding_failed`; 8 `sub` or `scope` present; 9 registered
 * claims (`act`, `auth_time`, `amr`, …) are accepted in their registered shape (§Auth Token Structure).
 */
export async function verifyAuthToken(token: string, options: VerifyAuthTokenOptions): Promise<AuthTokenClaims> {
  const header = checkHeader(token, PROFILE.typ.auth, CODE);
  const unverified = peekClaims(token, CODE);
  const iss = requireString(unverified, 'iss', CODE);
  if (!options.trustedIssuers.includes(iss)) {
    throw new TokenError(CODE, `auth token issuer ${JSON.stringify(iss)} is not trusted here`, { field: 'iss', reason: 'untrusted', actual: iss });
  }
  const key = await fetchIssuerKey(options.keys, iss, PROFILE.wellKnown.issuer, header, CODE);
  const claims = await verifySignatureAndTime(token, key, header.alg, CODE, options, unverified);
  const aud = requireString(claims, 'aud', CODE);
  const agent = requireString(claims, 'agent', CODE);
  const cnf = requireCnfJwk(claims, CODE);
  if (options.audience !== undefined) {
    const accepted = typeof options.audience === 'string' ? [options.audience] : options.audience;
    if (!accepted.includes(aud)) {
      throw new TokenError(CODE, `auth token "aud" ${JSON.stringify(aud)} is not ${accepted.join(' or ')}`, { field: 'aud', reason: 'mismatch', expected: options.audience, actual: aud });
    }
  }
  if (options.agent !== undefined && agent !== options.agent) {
    throw new TokenError(CODE, `auth token "agent" ${JSON.stringify(agent)} is not the signing agent (${options.agent})`, { field: 'agent', reason: 'mismatch', expected: options.agent, actual: agent });
  }
  if (options.cnfThumbprint !== undefined) {
    const a = Buffer.from(jwkThumbprint(cnf));
    const b = Buffer.from(options.cnfThumbprint);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new TokenError('key_binding_failed', 'auth token "cnf.jwk" is not the key that signed the request', { field: 'cnf', reason: 'mismatch' });
    }
  }
  if (claims.sub === undefined && claims.scope === undefined) {
    throw new TokenError(CODE, 'auth token carries neither "sub" nor "scope"', { field: 'sub', reason: 'missing' });
  }
  if ((claims.sub !== undefined && typeof claims.sub !== 'string') || (claims.scope !== undefined && typeof claims.scope !== 'string')) {
    throw new TokenError(CODE, 'auth token "sub" and "scope" must be strings', { field: 'scope', reason: 'malformed' });
  }
  checkRegisteredClaims(claims, CODE);
  return claims as AuthTokenClaims;
}
