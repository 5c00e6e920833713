/**
 * Compact JWS (RFC 7515 §7.1) signing and signature checking on node:crypto, for the algorithms
 * this profile accepts. jose runs the same primitives through WebCrypto, whose asynchronous jobs
 * cost more than the signature itself on the per-request paths (an auth token verified on every
 * call, one issued per exchange). Only the common, fully understood case is handled here; every
 * caller falls back to jose for anything else, so jose's errors and edge cases stay as they were.
 *
 * Both run synchronously, like the RFC 9421 signature checks: measured on the per-request paths,
 * a hop to the thread pool (WebCrypto's, or node:crypto's callback form) added about as much
 * latency as the signature itself and gained no throughput (`npm run bench`).
 */
import { sign as cryptoSign, verify as cryptoVerify, constants, type KeyObject, type SignKeyObjectInput, type VerifyKeyObjectInput } from 'node:crypto';
import { isWeakRsaKey } from '../jwk/keys.js';

/** Base64url without padding (RFC 7515 §2). Empty segments are left to jose. */
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** jose parses headers with a fatal UTF-8 decoder (a BOM is stripped, bad bytes throw). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether `key` is usable for `alg` exactly as jose would accept it (RFC 7518 §3.1, RFC 8037 §3.1):
 * the right key type and curve, and RSA keys of at least 2048 bits (RFC 7518 §3.3).
 */
function keyFits(alg: string, key: KeyObject, type: 'public' | 'private'): boolean {
  if (key.type !== type) return false;
  switch (alg) {
    case 'EdDSA':
    case 'Ed25519': return key.asymmetricKeyType === 'ed25519';
    case 'ES256': return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    case 'RS256':
    case 'PS256': return key.asymmetricKeyType === 'rsa' && !isWeakRsaKey(key);
    default: return false;
  }
}

/** node:crypto parameters for a JWS `alg` (RFC 7518 §3.3–3.5: ES256 signatures are r‖s). */
function algorithmParameters(alg: string): { digest: string | null; options: { dsaEncoding?: 'ieee-p1363'; padding?: number; saltLength?: number } } {
  switch (alg) {
    case 'ES256': return { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } };
    case 'RS256': return { digest: 'sha256', options: {} };
    case 'PS256': return { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } };
    default: return { digest: null, options: {} };
  }
}

/** Whether jose's decoder and Buffer's read `segment` alike: base64url, and not of length 4n+1 (not base64 at all; jose rejects it, Buffer would not). */
export function isSegment(segment: string): boolean {
  return SEGMENT.test(segment) && segment.length % 4 !== 1;
}

/** A JWS segment (RFC 7515 §2): `json`'s UTF-8 bytes in base64url without padding. */
export function encodeSegment(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * Sign `payload` (serialised JSON) under `headerSegment` (a protected header already encoded by
 * `encodeSegment`) as a compact JWS, or undefined when `alg` and `key` are not a pair this module handles.
 */
export function signCompact(alg: string, key: KeyObject, headerSegment: string, payload: string): string | undefined {
  if (!keyFits(alg, key, 'private')) return undefined;
  const input = `${headerSegment}.${encodeSegment(payload)}`;
  const { digest, options } = algorithmParameters(alg);
  const signature = cryptoSign(digest, Buffer.from(input, 'latin1'), { key, ...options } as SignKeyObjectInput);
  return `${input}.${signature.toString('base64url')}`;
}

export type CompactCheck =
  /** Not a case handled here: let jose decide. */
  | { readonly outcome: 'unhandled' }
  | { readonly outcome: 'bad_signature' }
  /** The signature verifies; the claims are still unchecked. */
  | { readonly outcome: 'verified'; readonly payloadSegment: string };

/**
 * Check the signature of a compact JWS whose protected header names `alg` and no `crit`, in
 * jose's order (header, algorithm, key, signature). Claims are not looked at.
 */
export function verifyCompactSignature(token: string, key: KeyObject, alg: string): CompactCheck {
  const unhandled = { outcome: 'unhandled' } as const;
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return unhandled;
  const headerSegment = token.slice(0, first);
  const payloadSegment = token.slice(first + 1, second);
  const signatureSegment = token.slice(second + 1);
  if (!isSegment(headerSegment) || !isSegment(payloadSegment) || !isSegment(signatureSegment)) return unhandled;
  let header: unknown;
  try {
    header = JSON.parse(strictUtf8.decode(Buffer.from(headerSegment, 'base64url')));
  } catch {
    return unhandled;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return unhandled;
  const { alg: named, crit } = header as { alg?: unknown; crit?: unknown };
  if (named !== alg || crit !== undefined || !keyFits(alg, key, 'public')) return unhandled;
  const { digest, options } = algorithmParameters(alg);
  const data = Buffer.from(token.slice(0, second), 'latin1');
  let valid: boolean;
  try {
    valid = cryptoVerify(digest, data, { key, ...options } as VerifyKeyObjectInput, Buffer.from(signatureSegment, 'base64url'));
  } catch {
    // jose reports a verification that throws as a failed signature; so do we.
    valid = false;
  }
  return valid ? { outcome: 'verified', payloadSegment } : { outcome: 'bad_signature' };
}

