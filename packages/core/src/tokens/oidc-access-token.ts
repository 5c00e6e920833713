/**
 * An OpenID provider's JWT access token, presented as an RFC 8693 `subject_token` at an auth server
 * that names that provider as an identity provider (auth-server contract, "Foreign subjects").
 * OpenID Connect leaves access-token contents open; the JWT ones in use (Keycloak's, RFC 9068's)
 * carry `iss`, `sub`, `iat`, `exp` and who they were issued to. Every failure is `invalid_grant`
 * (RFC 8693 §2.2.2).
 */
import { decodeProtectedHeader } from 'jose';
import { TokenError } from '../errors.js';
import type { PublicJwk } from '../jwk/types.js';
import { TOKEN_EXCHANGE } from '../profile/token-exchange.js';
import { ACCEPTED_JWS_ALGORITHMS, peekClaims, requireString, verifySignatureAndTime } from './jwt.js';
import { checkRegisteredClaims } from './registered-claims.js';
import type { CommonClaims, TimeOptions } from './types.js';

const CODE = TOKEN_EXCHANGE.errors.invalidGrant;

/** A JWKS known by URL (the provider's configured `jwksUrl`); `KeyDiscovery` is one. */
export interface JwksKeySource {
  getJwksKey(jwksUri: string, kid: string | undefined, alg?: string): Promise<PublicJwk>;
}

export interface VerifyOidcAccessTokenOptions extends TimeOptions {
  /** The provider's issuer: the token's `iss` must equal it. */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly keys: JwksKeySource;
}

export interface OidcAccessTokenClaims extends CommonClaims {
  sub: string;
  /** Who the token was issued to: `azp`, else `client_id`, else its single `aud`. */
  issuedTo: string;
}

function issuedTo(claims: Record<string, unknown>): string | undefined {
  const { azp, clientId } = TOKEN_EXCHANGE.claims;
  for (const name of [azp, clientId]) {
    const v = claims[name];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  const aud = claims.aud;
  if (typeof aud === 'string' && aud.length > 0) return aud;
  if (Array.isArray(aud) && aud.length === 1 && typeof aud[0] === 'string' && aud[0].length > 0) return aud[0];
  return undefined;
}

/** Steps: header `typ`/`alg`; `iss` is the provider; key by `kid` from its JWKS; signature and time; registered claims; `sub`; who it was issued to. */
export async function verifyOidcAccessToken(token: string, options: VerifyOidcAccessTokenOptions): Promise<OidcAccessTokenClaims> {
  let header: { typ?: unknown; alg?: unknown; kid?: unknown; crit?: unknown };
  try {
    header = decodeProtectedHeader(token);
    if (token.split('.').length !== 3) throw new Error('not a compact JWS');
  } catch (cause) {
    throw new TokenError(CODE, 'the token is not a compact JWT', { reason: 'malformed', cause });
  }
  if (header.typ !== undefined && !(TOKEN_EXCHANGE.oidcAccessTokenTyps as readonly unknown[]).includes(header.typ)) {
    throw new TokenError(CODE, `an identity provider's access token must have "typ" ${TOKEN_EXCHANGE.oidcAccessTokenTyps.join(' or ')} (or none)`, { field: 'typ', reason: 'mismatch', actual: header.typ });
  }
  if (typeof header.alg !== 'string' || !ACCEPTED_JWS_ALGORITHMS.includes(header.alg)) {
    throw new TokenError(CODE, `token "alg" ${JSON.stringify(header.alg)} is not accepted (accepted: ${ACCEPTED_JWS_ALGORITHMS.join(', ')})`, { field: 'alg', reason: 'not_allowed', actual: header.alg });
  }
  if (header.crit !== undefined) throw new TokenError(CODE, 'token "crit" header parameters are not supported', { field: 'crit', reason: 'unsupported' });
  const unverified = peekClaims(token, CODE);
  if (unverified.iss !== options.issuer) {
    throw new TokenError(CODE, `token issuer is not ${options.issuer}`, { field: 'iss', reason: 'mismatch', expected: options.issuer });
  }
  let key: PublicJwk;
  try {
    key = await options.keys.getJwksKey(options.jwksUri, typeof header.kid === 'string' ? header.kid : undefined, header.alg);
  } catch (cause) {
    throw new TokenError(CODE, 'the identity provider\'s signing key could not be found', { field: 'kid', reason: 'key_unavailable', cause });
  }
  const claims = await verifySignatureAndTime(token, key, header.alg, CODE, options, unverified);
  checkRegisteredClaims(claims, CODE);
  const sub = requireString(claims, 'sub', CODE);
  const to = issuedTo(claims);
  if (to === undefined) throw new TokenError(CODE, 'the token names no party it was issued to ("azp", "client_id" or a single "aud")', { field: 'aud', reason: 'missing' });
  return { ...claims, sub, issuedTo: to };
}
