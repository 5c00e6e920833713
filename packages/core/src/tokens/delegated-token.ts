/**
 * Delegated access tokens issued by RFC 8693 token exchange: a JWT access token (RFC 9068,
 * `typ: at+jwt`) for `sub` (the user), acted on by the outermost `act` (RFC 8693 §4.1), bound to
 * the actor's key by `cnf.jwk` (RFC 7800). AAuth auth tokens of the 2026-03 profile never carry
 * `act`; these tokens are the separate, standard form for delegation chains.
 */
import { timingSafeEqual } from 'node:crypto';
import { actChain, parseAct, type ActClaim } from '../delegation/act.js';
import { TokenError } from '../errors.js';
import { toPublicJwk } from '../jwk/keys.js';
import { jwkThumbprint } from '../jwk/thumbprint.js';
import type { PublicJwk, SigningKey } from '../jwk/types.js';
import { PROFILE } from '../profile/index.js';
import { TOKEN_EXCHANGE } from '../profile/token-exchange.js';
import { checkHeader, fetchIssuerKey, issueJwt, peekClaims, requireCnfJwk, requireString, verifySignatureAndTime } from './jwt.js';
import type { CommonClaims, IssuerKeySource, TimeOptions } from './types.js';

const CODE = 'invalid_grant';

export interface DelegatedTokenClaims extends CommonClaims {
  aud: string;
  sub: string;
  /** RFC 9068 §2.2: the client the token was issued to — here the current actor. */
  client_id: string;
  act: ActClaim;
  cnf: { jwk: PublicJwk };
  scope?: string;
}

export interface CreateDelegatedTokenInput {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly act: ActClaim;
  readonly cnfJwk: PublicJwk;
  readonly scope?: string;
  readonly lifetimeSeconds: number;
  readonly now?: number;
}

export function createDelegatedToken(key: SigningKey, input: CreateDelegatedTokenInput): Promise<string> {
  const claims: Record<string, unknown> = {
    iss: input.iss, aud: input.aud, sub: input.sub, client_id: input.act.sub, act: input.act, cnf: { jwk: toPublicJwk(input.cnfJwk) },
  };
  if (input.scope !== undefined) claims.scope = input.scope;
  return issueJwt(key, TOKEN_EXCHANGE.accessTokenTyp, claims, { lifetimeSeconds: input.lifetimeSeconds, ...(input.now === undefined ? {} : { now: input.now }) });
}

export interface VerifyDelegatedTokenOptions extends TimeOptions {
  readonly keys: IssuerKeySource;
  readonly trustedIssuers: readonly string[];
  readonly audience?: string | readonly string[];
  /** Thumbprint of the HTTP signing key that `cnf.jwk` must match (the current actor's). */
  readonly cnfThumbprint?: string;
}

/**
 * Steps: 1 `typ` = `at+jwt`, `alg`; 2 `iss` trusted; 3 key from `{iss}/.well-known/aauth-issuer.json`;
 * 4 signature, `exp`, `iat`; 5 `aud`, `sub`; 6 `act` well formed and its outermost actor is
 * `client_id`; 7 `cnf.jwk` equals the signing key.
 */
export async function verifyDelegatedToken(token: string, options: VerifyDelegatedTokenOptions): Promise<DelegatedTokenClaims & { chain: string[] }> {
  const header = checkHeader(token, TOKEN_EXCHANGE.accessTokenTyp, CODE);
  const unverified = peekClaims(token, CODE);
  const iss = requireString(unverified, 'iss', CODE);
  if (!options.trustedIssuers.includes(iss)) {
    throw new TokenError(CODE, `token issuer ${JSON.stringify(iss)} is not trusted here`, { field: 'iss', reason: 'untrusted', actual: iss });
  }
  const key = await fetchIssuerKey(options.keys, iss, PROFILE.wellKnown.issuer, header, CODE);
  const claims = await verifySignatureAndTime(token, key, header.alg, CODE, options, unverified);
  const aud = requireString(claims, 'aud', CODE);
  requireString(claims, 'sub', CODE);
  const clientId = requireString(claims, 'client_id', CODE);
  const cnf = requireCnfJwk(claims, CODE);
  let act: ActClaim | undefined;
  try {
    act = parseAct(claims.act);
  } catch (cause) {
    throw new TokenError(CODE, `token "act" is malformed: ${(cause as Error).message}`, { field: 'act', reason: 'malformed', cause });
  }
  if (act === undefined || act.sub !== clientId) {
    throw new TokenError(CODE, 'token "act" must name the current actor, "client_id"', { field: 'act', reason: 'mismatch', expected: clientId, actual: act?.sub });
  }
  if (options.audience !== undefined) {
    const accepted = typeof options.audience === 'string' ? [options.audience] : options.audience;
    if (!accepted.includes(aud)) throw new TokenError(CODE, `token "aud" ${JSON.stringify(aud)} is not ${accepted.join(' or ')}`, { field: 'aud', reason: 'mismatch', expected: options.audience, actual: aud });
  }
  if (options.cnfThumbprint !== undefined) {
    const a = Buffer.from(jwkThumbprint(cnf));
    const b = Buffer.from(options.cnfThumbprint);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new TokenError('key_binding_failed', 'token "cnf.jwk" is not the key that signed the request', { field: 'cnf', reason: 'mismatch' });
    }
  }
  return { ...(claims as DelegatedTokenClaims), chain: actChain(act) };
}
