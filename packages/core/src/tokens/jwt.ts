/**
 * JWT plumbing shared by the three token types, on `jose`. Verification order (wire notes §2,
 * §7.4): the protected header first (`typ`, then `alg` against an asymmetric allow-list, so a
 * token of the wrong type never triggers a key fetch), then the issuer's key, then the signature
 * and time claims, and only then any other claim.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, decodeJwt, jwtVerify, errors as joseErrors, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { TokenError, keyUnavailableMessage, type WireErrorCode } from '../errors.js';
import { importPublicJwk } from '../jwk/keys.js';
import { extend } from '../lib/extend.js';
import { encodeSegment, isSegment, signCompact, verifyCompactSignature } from '../lib/compact-jws.js';
import type { SigningKey, PublicJwk } from '../jwk/types.js';
import type { CommonClaims, IssuerKeySource, TimeOptions } from './types.js';

/** JWS algorithms accepted on tokens: never `none`, never a symmetric `HS*` (RFC 8725 §3.1). */
export const ACCEPTED_JWS_ALGORITHMS: readonly string[] = ['EdDSA', 'Ed25519', 'ES256', 'RS256', 'PS256'];
export const DEFAULT_SKEW = 60;

export function nowSeconds(options: TimeOptions = {}): number {
  return options.now ?? Math.floor(Date.now() / 1000);
}

export interface IssueOptions {
  readonly lifetimeSeconds: number;
  readonly now?: number;
  readonly jti?: string;
  /** The header `alg` when it is not the key's own (a fully specified name for the same algorithm). */
  readonly alg?: string;
}

/**
 * Encoded protected headers (the JWS segment) by signing key, then `alg` and `typ`: a key signs
 * the same few headers over and over (one per token type). Only frozen keys (as
 * `generateSigningKey` and `importSigningKey` make them) are remembered, so a kept header never goes stale.
 */
const headersByKey = new WeakMap<SigningKey, Map<string, string>>();

function headerSegment(key: SigningKey, alg: string, typ: string): string {
  if (!Object.isFrozen(key)) return encodeSegment(JSON.stringify({ alg, typ, kid: key.kid }));
  let byKey = headersByKey.get(key);
  if (byKey === undefined) headersByKey.set(key, (byKey = new Map()));
  const name = `${alg} ${typ}`;
  let segment = byKey.get(name);
  if (segment === undefined) byKey.set(name, (segment = encodeSegment(JSON.stringify({ alg, typ, kid: key.kid }))));
  return segment;
}

/** Sign `claims` with `typ` in the protected header; `iat`, `exp` and `jti` are filled in. */
export async function issueJwt(key: SigningKey, typ: string, claims: Record<string, unknown>, options: IssueOptions): Promise<string> {
  const iat = options.now ?? Math.floor(Date.now() / 1000);
  const payload: JWTPayload = extend(claims, { iat, exp: iat + options.lifetimeSeconds, jti: options.jti ?? randomUUID() });
  const alg = options.alg ?? key.jwsAlgorithm;
  // The same JSON jose would sign (its `iat`/`exp` check included), signed with node:crypto;
  // a key and algorithm that do not pair up go to jose, which reports them.
  if (Number.isFinite(payload.iat) && Number.isFinite(payload.exp)) {
    const token = signCompact(alg, key.privateKey, headerSegment(key, alg, typ), JSON.stringify(payload));
    if (token !== undefined) return token;
  }
  return new SignJWT(payload).setProtectedHeader({ alg, typ, kid: key.kid }).sign(key.privateKey);
}

/** The unverified protected header, with `typ` and `alg` checked. Cheap, no I/O. */
export function checkHeader(token: string, typ: string, code: WireErrorCode): ProtectedHeaderParameters & { alg: string } {
  return checkAlgorithm(checkTyp(token, typ, code), code);
}

/** The unverified protected header of a compact JWT whose `typ` is `typ`; `alg` not yet checked. */
export function checkTyp(token: string, typ: string, code: WireErrorCode): ProtectedHeaderParameters {
  let header: ProtectedHeaderParameters;
  try {
    header = protectedHeader(token);
    // A JWS JSON serialisation or anything but three segments is not a compact JWT.
    if (!isThreeSegments(token)) throw new Error('not a compact JWS');
  } catch (cause) {
    throw new TokenError(code, 'the token is not a compact JWT', { reason: 'malformed', cause });
  }
  if (header.typ !== typ) {
    throw new TokenError(code, `token "typ" must be "${typ}", got ${header.typ === undefined ? 'none' : `"${header.typ}"`}`, { field: 'typ', reason: 'mismatch', expected: typ, actual: header.typ });
  }
  return header;
}

/** `alg` on the asymmetric allow-list (RFC 8725 §3.1), and no `crit`. */
export function checkAlgorithm(header: ProtectedHeaderParameters, code: WireErrorCode): ProtectedHeaderParameters & { alg: string } {
  if (typeof header.alg !== 'string' || !ACCEPTED_JWS_ALGORITHMS.includes(header.alg)) {
    throw new TokenError(code, `token "alg" ${JSON.stringify(header.alg)} is not accepted (accepted: ${ACCEPTED_JWS_ALGORITHMS.join(', ')})`, { field: 'alg', reason: 'not_allowed', actual: header.alg });
  }
  if (header.crit !== undefined) {
    throw new TokenError(code, 'token "crit" header parameters are not supported', { field: 'crit', reason: 'unsupported' });
  }
  return header as ProtectedHeaderParameters & { alg: string };
}

/**
 * Decoded protected headers by header segment (RFC 7515 §7.1: the text before the first `.`): the
 * same few headers recur on every request (one per issuer key and token type), so each is decoded
 * once. A header is a function of its segment alone, and the segment is compared whole. Bounded
 * (the oldest goes first); the headers kept are frozen, as every caller shares them.
 */
const headersBySegment = new Map<string, ProtectedHeaderParameters>();
const HEADER_SEGMENTS_MAX = 256;

function isThreeSegments(token: string): boolean {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  return second >= 0 && token.indexOf('.', second + 1) < 0;
}

/** jose's `decodeProtectedHeader`, remembered for compact JWS tokens (three segments). Throws what jose throws. */
function protectedHeader(token: string): ProtectedHeaderParameters {
  if (typeof token !== 'string' || !isThreeSegments(token)) return decodeProtectedHeader(token);
  const segment = token.slice(0, token.indexOf('.'));
  let header = headersBySegment.get(segment);
  if (header === undefined) {
    header = deepFreeze(decodeProtectedHeader(token));
    if (headersBySegment.size >= HEADER_SEGMENTS_MAX) headersBySegment.delete(headersBySegment.keys().next().value as string);
    headersBySegment.set(segment, header);
  }
  return header;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/**
 * The unverified protected header's `typ`, or undefined when the header does not decode. For
 * routing a token to its verifier only; never throws.
 */
export function peekTyp(token: string): unknown {
  try {
    return protectedHeader(token).typ;
  } catch {
    return undefined;
  }
}

/** The unverified payload (for routing only, e.g. to learn `iss` before fetching its key). */
export function peekClaims(token: string, code: WireErrorCode): Record<string, unknown> {
  const plain = plainClaims(token);
  if (plain !== undefined) return plain;
  try {
    return decodeJwt(token);
  } catch (cause) {
    throw new TokenError(code, 'the token payload is not a JSON object', { reason: 'malformed', cause });
  }
}

/** jose reads a payload with a fatal UTF-8 decoder (a BOM is stripped, bad bytes throw). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The claims jose's `decodeJwt` would read from a compact JWT whose payload segment is plain
 * base64url (`isSegment`: where Buffer's decoder and jose's agree), decoded without jose's
 * character-by-character decoder; undefined for anything else, which jose then decodes or refuses.
 */
function plainClaims(token: string): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || !isThreeSegments(token)) return undefined;
  const first = token.indexOf('.');
  const segment = token.slice(first + 1, token.indexOf('.', first + 1));
  if (!isSegment(segment)) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')));
  } catch {
    return undefined;
  }
  return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? claims as Record<string, unknown> : undefined;
}

/** A verified payload segment's claims, read as jose reads them (`JWTInvalid` when it is not a JSON object). */
function decodePayloadSegment(segment: string): JWTPayload {
  let claims: unknown;
  try {
    claims = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')));
  } catch (cause) {
    throw new joseErrors.JWTInvalid('JWT Claims Set must be a top-level JSON object', { cause });
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new joseErrors.JWTInvalid('JWT Claims Set must be a top-level JSON object');
  return claims as JWTPayload;
}

/** The claims every token must carry, in the order jose checks their presence (its list reversed). */
const REQUIRED_CLAIMS = ['iss', 'iat', 'exp'] as const;
const PRESENCE_ORDER = [...REQUIRED_CLAIMS].reverse();

/**
 * jose's claim-set validation (`validateClaimsSet`) for exactly the options `verifySignatureAndTime`
 * gives it, on claims already decoded: the same checks in the same order, failing with jose's own
 * errors, so the caller maps them as it maps jose's. Saves decoding the payload a second time.
 */
function checkClaimsSet(claims: JWTPayload, now: number, tolerance: number): JWTPayload {
  for (const claim of PRESENCE_ORDER) {
    if (!Object.hasOwn(claims, claim)) throw new joseErrors.JWTClaimValidationFailed(`missing required "${claim}" claim`, claims, claim, 'missing');
  }
  // `new Date(now * 1000)` read back in whole seconds, as jose reads its `currentDate`.
  const current = Math.floor(new Date(now * 1000).getTime() / 1000);
  if (!Number.isFinite(current)) throw new TypeError('Invalid currentDate option input');
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (claims[claim] !== undefined && typeof claims[claim] !== 'number') throw new joseErrors.JWTClaimValidationFailed(`"${claim}" claim must be a number`, claims, claim, 'invalid');
    if (claim === 'nbf' && claims.nbf !== undefined && claims.nbf > current + tolerance) throw new joseErrors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', claims, 'nbf', 'check_failed');
  }
  if (claims.exp !== undefined && claims.exp <= current - tolerance) throw new joseErrors.JWTExpired('"exp" claim timestamp check failed', claims, 'exp', 'check_failed');
  return claims;
}

/**
 * Verify signature and time: `exp` in the future and `iat` not in the future, with skew.
 * `allowExpired` keeps an expired token usable for the refresh grant (§Token Endpoint refresh).
 * `claims` is what `peekClaims` read from this very `token`, so its payload is decoded once.
 */
export async function verifySignatureAndTime(token: string, key: KeyObject | PublicJwk, alg: string, code: WireErrorCode, time: TimeOptions & { allowExpired?: boolean } = {}, claims?: Record<string, unknown>): Promise<CommonClaims> {
  const now = nowSeconds(time);
  const skew = time.skew ?? DEFAULT_SKEW;
  const tolerance = time.allowExpired ? Number.MAX_SAFE_INTEGER : skew;
  let payload: JWTPayload;
  try {
    const keyObject = 'kty' in key ? importPublicJwk(key as PublicJwk) : key;
    // The signature through node:crypto when the token and key are the plain case, then jose's
    // claim checks on the decoded payload (`checkClaimsSet`). Anything else: jose entirely.
    const check = verifyCompactSignature(token, keyObject, alg);
    if (check.outcome === 'bad_signature') throw new joseErrors.JWSSignatureVerificationFailed();
    if (check.outcome === 'verified') payload = checkClaimsSet(claims ?? decodePayloadSegment(check.payloadSegment), now, tolerance);
    else ({ payload } = await jwtVerify(token, keyObject, { currentDate: new Date(now * 1000), clockTolerance: tolerance, requiredClaims: [...REQUIRED_CLAIMS], algorithms: [alg] }));
  } catch (cause) {
    if (cause instanceof TokenError) throw cause;
    if (cause instanceof joseErrors.JWTExpired) throw new TokenError(code, 'the token has expired', { field: 'exp', reason: 'expired', cause });
    if (cause instanceof joseErrors.JWTClaimValidationFailed) {
      throw new TokenError(code, `token claim "${cause.claim}" is invalid: ${cause.reason}`, { field: cause.claim, reason: cause.reason, cause });
    }
    if (cause instanceof joseErrors.JWSSignatureVerificationFailed) throw new TokenError(code, 'the token signature does not verify', { reason: 'bad_signature', cause });
    throw new TokenError(code, `the token cannot be verified: ${(cause as Error).message}`, { reason: 'unverifiable', cause });
  }
  if (typeof payload.iat === 'number' && payload.iat > now + skew) {
    throw new TokenError(code, 'token "iat" is in the future', { field: 'iat', reason: 'future' });
  }
  // RFC 7519 §4.1.5. Checked here as well as by jose, whose tolerance `allowExpired` widens for `exp`.
  if (typeof payload.nbf === 'number' && payload.nbf > now + skew) {
    throw new TokenError(code, 'token "nbf" is in the future', { field: 'nbf', reason: 'future' });
  }
  return payload as CommonClaims;
}

export function requireString(claims: Record<string, unknown>, name: string, code: WireErrorCode): string {
  const value = claims[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new TokenError(code, `token claim "${name}" is missing or not a string`, { field: name, reason: 'missing' });
  }
  return value;
}

export function requireCnfJwk(claims: Record<string, unknown>, code: WireErrorCode): PublicJwk {
  const cnf = claims.cnf as { jwk?: unknown } | undefined;
  const jwk = cnf?.jwk as PublicJwk | undefined;
  // Wire notes §7.3: require `cnf.jwk` structurally before using it.
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') {
    throw new TokenError(code, 'token claim "cnf.jwk" is missing or not a JWK', { field: 'cnf', reason: 'missing' });
  }
  if ('d' in jwk) throw new TokenError(code, 'token claim "cnf.jwk" contains private key material', { field: 'cnf', reason: 'private_key' });
  return jwk;
}

/** The issuer's verification key; any discovery failure becomes this token type's error. */
export async function fetchIssuerKey(keys: IssuerKeySource, iss: string, document: string, header: { kid?: string; alg: string }, code: WireErrorCode): Promise<KeyObject | PublicJwk> {
  try {
    return await (keys.getKeyNow === undefined ? keys.getKey(iss, document, header.kid, header.alg) : keys.getKeyNow(iss, document, header.kid, header.alg));
  } catch (cause) {
    throw new TokenError(code, keyUnavailableMessage(cause), { field: 'kid', reason: 'key_unavailable', cause });
  }
}
