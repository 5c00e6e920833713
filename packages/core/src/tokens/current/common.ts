/**
 * What the four `aa-*+jwt` token types share (draft-hardt-oauth-aauth-protocol §Agent / Person /
 * Resource / Auth Token Structure and Verification): a fully specified `alg` (§Signature
 * Algorithms), a `kid`, a `dwk` naming the issuer's metadata document, and — checked before any
 * fetch, so an unusable token never reaches the network — an `iss` that is a server identifier.
 *
 * `EdDSA` is accepted nowhere here: the draft forbids it in the JWS header, in `cnf.jwk` and in a
 * published JWKS (§Signature Algorithms, RFC 9864 §2), and lists no case where it is allowed. The
 * 2026-03 verifiers keep accepting it, unchanged.
 */
import type { KeyObject } from 'node:crypto';
import { TokenError, type WireErrorCode } from '../../errors.js';
import { isServerIdentifier, type IdentifierPolicy } from '../../identifiers.js';
import { importPublicJwk, toPublicJwk } from '../../jwk/keys.js';
import { jwkThumbprint } from '../../jwk/thumbprint.js';
import type { PublicJwk, SigningKey } from '../../jwk/types.js';
import { AAUTH_CURRENT, type CurrentAlgorithm, type CurrentErrorCode, type CurrentTokenKind } from '../../profile/index.js';
import { isS256 } from '../../mission/blob.js';
import { checkHeader, fetchIssuerKey, issueJwt, peekClaims, requireString, verifySignatureAndTime } from '../jwt.js';
import type { CommonClaims, IssuerKeySource, TimeOptions } from '../types.js';

const C = AAUTH_CURRENT.claims;

/** A `TokenError` with the current profile's status for `code`. */
export function tokenError(code: CurrentErrorCode, message: string, detail: TokenError['detail'] = {}): TokenError {
  return new TokenError(code, message, detail, { status: AAUTH_CURRENT.errors[code] });
}

/** The fully specified JWS name of a key's algorithm: an Ed25519 key signs as `Ed25519`, not `EdDSA`. */
export function currentAlgorithmFor(key: SigningKey): CurrentAlgorithm {
  return key.jwsAlgorithm === 'EdDSA' ? 'Ed25519' : key.jwsAlgorithm;
}

/** The fully specified `alg` a public key takes (§Signature Algorithms), from its type and curve. */
function algorithmOfJwk(jwk: PublicJwk): CurrentAlgorithm | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'Ed25519';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'RSA') return jwk.alg === 'PS256' ? 'PS256' : 'RS256';
  return undefined;
}

/** A public JWK for `cnf.jwk` with its fully specified `alg` member (required in every `aa-*` token). */
export function confirmationJwk(jwk: PublicJwk): PublicJwk {
  const pub = toPublicJwk(jwk);
  const alg = jwk.alg === 'EdDSA' || jwk.alg === undefined ? algorithmOfJwk(pub) : jwk.alg;
  if (alg === undefined || !(AAUTH_CURRENT.algorithms as readonly string[]).includes(alg)) throw new TypeError(`no fully specified algorithm for this ${pub.kty} key`);
  return { ...pub, alg };
}

export interface CurrentIssueOptions {
  readonly lifetimeSeconds: number;
  readonly now?: number;
  readonly jti?: string;
}

/** Sign an `aa-*` token: header `{alg (fully specified), typ, kid}`; `iat`, `exp`, `jti` filled in. */
export function issueCurrentJwt(key: SigningKey, kind: CurrentTokenKind, claims: Record<string, unknown>, options: CurrentIssueOptions): Promise<string> {
  return issueJwt(key, AAUTH_CURRENT.typ[kind], claims, { ...options, alg: currentAlgorithmFor(key) });
}

/** Lifetime fitted under the profile's ceiling and `notAfter`; never below one second. */
export function fittedLifetime(requested: number, ceiling: number, now: number, notAfter: number | undefined): number {
  const bound = notAfter === undefined ? ceiling : Math.min(ceiling, notAfter - now);
  return Math.max(1, Math.min(requested, bound));
}

/** How long an issued person, auth or resource token lives, and its `iat`/`jti`. */
export interface FittedIssueInput {
  /** Default and ceiling: the profile's bound for the kind (§Token lifetimes). */
  readonly lifetimeSeconds?: number;
  /** Seconds since the epoch the token must not outlive (the agent token's `exp`, the mission's `expires_at`). */
  readonly notAfter?: number;
  readonly now?: number;
  readonly jti?: string;
}

/**
 * Sign a person, auth or resource token: `claims`, then each `optional` claim that has a value, with
 * the lifetime fitted under the profile's ceiling for `kind` and under `notAfter`.
 */
export function issueFitted(key: SigningKey, kind: 'person' | 'auth' | 'resource', claims: Readonly<Record<string, unknown>>, optional: Readonly<Record<string, unknown>>, input: FittedIssueInput): Promise<string> {
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const all: Record<string, unknown> = { ...claims };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) all[name] = value;
  const ceiling = AAUTH_CURRENT.lifetimes[kind];
  const lifetimeSeconds = fittedLifetime(input.lifetimeSeconds ?? ceiling, ceiling, now, input.notAfter);
  return issueCurrentJwt(key, kind, all, { lifetimeSeconds, now, ...(input.jti === undefined ? {} : { jti: input.jti }) });
}

export interface CurrentVerifyOptions extends TimeOptions {
  /** Issuer keys through `dwk` (`KeyDiscovery` with `profile: 'aauth-current'`). */
  readonly keys: IssuerKeySource;
  readonly identifiers?: IdentifierPolicy;
}

export interface Verified<T> {
  readonly claims: T;
  readonly header: { readonly alg: CurrentAlgorithm; readonly kid: string };
}

/**
 * Verification common to all four types, in the draft's order with the cheap checks first:
 * `typ`, fully specified `alg`, `kid`; then (still unverified) `iss` is a server identifier and
 * `dwk` is the type's document; then the key from `{iss}/.well-known/{dwk}` by `kid`; then the
 * signature, `exp` and `iat`; then `jti`. An expired token is `expiredCode` when the type has one.
 */
export async function verifyCommon(token: string, kind: CurrentTokenKind, code: CurrentErrorCode, options: CurrentVerifyOptions, expiredCode: CurrentErrorCode = code): Promise<Verified<CommonClaims & { dwk: string; jti: string }>> {
  try {
    const header = checkHeader(token, AAUTH_CURRENT.typ[kind], code);
    if (!(AAUTH_CURRENT.algorithms as readonly string[]).includes(header.alg)) {
      throw tokenError(code, `token "alg" ${JSON.stringify(header.alg)} is not a fully specified algorithm of this profile (accepted: ${AAUTH_CURRENT.algorithms.join(', ')})`, { field: 'alg', reason: 'not_allowed', actual: header.alg });
    }
    if (typeof header.kid !== 'string' || header.kid.length === 0) throw tokenError(code, 'token header has no "kid"', { field: 'kid', reason: 'missing' });
    const unverified = peekClaims(token, code);
    const iss = requireString(unverified, C.iss, code);
    if (!isServerIdentifier(iss, options.identifiers)) {
      throw tokenError(code, `token "iss" ${JSON.stringify(iss)} is not a server identifier`, { field: C.iss, reason: 'invalid_identifier', actual: iss });
    }
    const dwk = unverified[C.dwk];
    const documents: readonly string[] = AAUTH_CURRENT.dwk[kind];
    if (typeof dwk !== 'string' || !documents.includes(dwk)) {
      throw tokenError(code, `token "dwk" must be ${documents.map((d) => `"${d}"`).join(' or ')}, got ${JSON.stringify(dwk)}`, { field: C.dwk, reason: 'mismatch', expected: documents, actual: dwk });
    }
    const key: KeyObject | PublicJwk = await fetchIssuerKey(options.keys, iss, dwk, header, code);
    const claims = await verifySignatureAndTime(token, key, header.alg, code, options, unverified);
    requireString(claims, C.jti, code);
    return { claims: claims as CommonClaims & { dwk: string; jti: string }, header: { alg: header.alg as CurrentAlgorithm, kid: header.kid } };
  } catch (err) {
    throw asCurrent(err, code, expiredCode);
  }
}

/** Give a token error the current profile's code and status (`expiredCode` for an expired token). */
export function asCurrent(err: unknown, code: CurrentErrorCode, expiredCode: CurrentErrorCode = code): unknown {
  if (!(err instanceof TokenError)) return err;
  const final: WireErrorCode = err.detail.reason === 'expired' ? expiredCode : code;
  if (err.code === final && err.status === AAUTH_CURRENT.errors[final as CurrentErrorCode]) return err;
  return tokenError(final as CurrentErrorCode, err.message, err.detail);
}

const KEY_MEMBERS: Readonly<Record<string, readonly string[]>> = { OKP: ['crv', 'x'], EC: ['crv', 'x', 'y'], RSA: ['n', 'e'] };

/**
 * §Request-Context Binding step 6, for every `aa-*` token's `cnf.jwk`: present; `kty` and that
 * type's members present (else structurally incomplete, before any decoding); no private members;
 * a fully specified `alg` agreeing with `kty`/`crv` (§Signature Algorithms); parseable as a key.
 */
export function requireConfirmationKey(claims: Readonly<Record<string, unknown>>, code: CurrentErrorCode): PublicJwk {
  const cnf = claims[C.cnf] as Record<string, unknown> | undefined;
  const jwk = typeof cnf === 'object' && cnf !== null ? cnf[C.jwk] as PublicJwk | undefined : undefined;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw tokenError(code, 'token claim "cnf.jwk" is missing', { field: 'cnf', reason: 'missing' });
  const members = typeof jwk.kty === 'string' ? KEY_MEMBERS[jwk.kty] : undefined;
  if (members === undefined || members.some((m) => typeof jwk[m] !== 'string' || (jwk[m] as string).length === 0)) {
    throw tokenError(code, 'token claim "cnf.jwk" is structurally incomplete (kty and its key members are required)', { field: 'cnf', reason: 'incomplete' });
  }
  if ('d' in jwk) throw tokenError(code, 'token claim "cnf.jwk" contains private key material', { field: 'cnf', reason: 'private_key' });
  if (typeof jwk.alg !== 'string' || !(AAUTH_CURRENT.algorithms as readonly string[]).includes(jwk.alg)) {
    throw tokenError(code, `token claim "cnf.jwk" must carry a fully specified "alg" (got ${JSON.stringify(jwk.alg)})`, { field: 'cnf', reason: 'alg_not_fully_specified', actual: jwk.alg });
  }
  if (algorithmOfJwk(jwk) !== jwk.alg && !(jwk.kty === 'RSA' && (jwk.alg === 'RS256' || jwk.alg === 'PS256'))) {
    throw tokenError(code, `token claim "cnf.jwk" "alg" ${jwk.alg} disagrees with its kty/crv`, { field: 'cnf', reason: 'alg_mismatch', actual: jwk.alg });
  }
  try {
    importPublicJwk(jwk);
  } catch (cause) {
    throw tokenError(code, 'token claim "cnf.jwk" is not a usable public key', { field: 'cnf', reason: 'invalid_key_material', cause });
  }
  return jwk;
}

/** The token's `cnf.jwk` must be the key that signed the HTTP request (compared by RFC 7638 thumbprint). */
export function requireBoundTo(jwk: PublicJwk, requestKey: PublicJwk | undefined, code: CurrentErrorCode): void {
  if (requestKey === undefined) return;
  if (jwkThumbprint(jwk) !== jwkThumbprint(requestKey)) {
    throw tokenError(code, 'token claim "cnf.jwk" is not the key that signed the request', { field: 'cnf', reason: 'key_mismatch' });
  }
}

/** `exp - iat` within the profile's bound (§Person / Auth Token Structure: MUST NOT exceed 1 hour). */
export function requireLifetimeAtMost(claims: CommonClaims, maxSeconds: number, code: CurrentErrorCode): void {
  if (claims.exp - claims.iat > maxSeconds) {
    throw tokenError(code, `token lifetime ${claims.exp - claims.iat} s exceeds ${maxSeconds} s`, { field: 'exp', reason: 'lifetime_exceeded', expected: maxSeconds, actual: claims.exp - claims.iat });
  }
}

export function optionalString(claims: Readonly<Record<string, unknown>>, name: string, code: CurrentErrorCode): string | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw tokenError(code, `token claim "${name}" must be a non-empty string`, { field: name, reason: 'malformed' });
  return value;
}

export function optionalServerIdentifier(claims: Readonly<Record<string, unknown>>, name: string, code: CurrentErrorCode, policy?: IdentifierPolicy): string | undefined {
  const value = optionalString(claims, name, code);
  if (value !== undefined && !isServerIdentifier(value, policy)) throw tokenError(code, `token claim "${name}" ${JSON.stringify(value)} is not a server identifier`, { field: name, reason: 'invalid_identifier', actual: value });
  return value;
}

export function optionalMissionS256(claims: Readonly<Record<string, unknown>>, code: CurrentErrorCode): string | undefined {
  const value = claims[C.missionS256];
  if (value === undefined) return undefined;
  if (!isS256(value)) throw tokenError(code, 'token claim "mission_s256" is not a base64url SHA-256 digest', { field: C.missionS256, reason: 'malformed' });
  return value;
}

/** `aud` as one string equal to `expected` (each `aa-*` token names one audience). */
export function requireAudience(claims: Readonly<Record<string, unknown>>, expected: string | undefined, code: CurrentErrorCode): string {
  const aud = requireString(claims, C.aud, code);
  if (expected !== undefined && aud !== expected) {
    throw tokenError(code, `token "aud" ${JSON.stringify(aud)} is not ${expected}`, { field: C.aud, reason: 'mismatch', expected, actual: aud });
  }
  return aud;
}

export { requireString };
