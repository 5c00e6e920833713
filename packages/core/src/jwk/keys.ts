/**
 * Key handling on top of node:crypto: generation, JWK import/export, and the mapping from a key
 * to its JWS and RFC 9421 algorithms (wire notes §1.6: the algorithm comes from the key).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { MalformedError } from '../errors.js';
import { jwkThumbprint, thumbprintInput } from './thumbprint.js';
import type { HttpSignatureAlgorithm, JwsAlgorithm, PrivateJwk, PublicJwk, SigningKey } from './types.js';

const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  OKP: ['kty', 'crv', 'x'],
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
};

/** The public members of a JWK (plus `kid`/`alg`/`use` when present); private members never leak. */
export function toPublicJwk(jwk: PublicJwk): PublicJwk {
  const members = PUBLIC_MEMBERS[jwk.kty];
  if (!members) throw new MalformedError('invalid_request', `unsupported JWK kty "${String(jwk.kty)}"`, undefined, { field: 'kty' });
  const out: PublicJwk = { kty: jwk.kty };
  for (const name of [...members, 'kid', 'alg', 'use']) {
    const value = jwk[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** JWS `alg` for a key: its own `alg` member when it is one we accept, else the key type's default. */
export function jwsAlgorithmFor(jwk: PublicJwk): JwsAlgorithm {
  const declared = jwk.alg;
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return declared === 'Ed25519' ? 'Ed25519' : 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'RSA') return declared === 'PS256' ? 'PS256' : 'RS256';
  throw new MalformedError('invalid_request', `no supported signature algorithm for kty "${String(jwk.kty)}" crv "${String(jwk.crv)}"`, undefined, { field: 'crv', reason: 'unsupported' });
}

/**
 * RFC 9421 §3.3 algorithm for a key. Ed25519 → `ed25519`, P-256 → `ecdsa-p256-sha256`; RSA keys use
 * `rsa-pss-sha512` when they say `PS512`, else `rsa-v1_5-sha256` (RFC 9421 registers no PS256).
 */
export function httpAlgorithmFor(jwk: PublicJwk): HttpSignatureAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'ed25519';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ecdsa-p256-sha256';
  if (jwk.kty === 'RSA') return jwk.alg === 'PS512' ? 'rsa-pss-sha512' : 'rsa-v1_5-sha256';
  throw new MalformedError('invalid_request', `no RFC 9421 algorithm for kty "${String(jwk.kty)}" crv "${String(jwk.crv)}"`, undefined, { field: 'crv', reason: 'unsupported' });
}

/** RFC 7518 §3.3 (and NIST SP 800-131A): RSA keys below 2048 bits are refused, for JWS and RFC 9421 alike. */
export const MIN_RSA_MODULUS_BITS = 2048;

/** An RSA key too short to be trusted (see `MIN_RSA_MODULUS_BITS`). */
export function isWeakRsaKey(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS;
}

const publicKeyCache = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_MAX = 1024;

/**
 * Import a public JWK as a KeyObject. Imports are memoised by RFC 7638 key (bounded), since the same
 * agent keys arrive on every request.
 */
export function importPublicJwk(jwk: PublicJwk): KeyObject {
  // The canonical RFC 7638 input identifies the key as well as its hash does, without hashing.
  const cacheKey = thumbprintInput(jwk);
  const cached = publicKeyCache.get(cacheKey);
  if (cached) return cached;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: toPublicJwk(jwk) as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch (cause) {
    throw new MalformedError('invalid_request', 'JWK is not a valid public key', undefined, { reason: 'malformed', cause });
  }
  if (publicKeyCache.size >= PUBLIC_KEY_CACHE_MAX) publicKeyCache.delete(publicKeyCache.keys().next().value as string);
  publicKeyCache.set(cacheKey, key);
  return key;
}

function signingKeyFrom(privateKey: KeyObject, kid: string | undefined, alg: JwsAlgorithm | undefined): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const exported = publicKey.export({ format: 'jwk' }) as PublicJwk;
  const base = toPublicJwk(exported);
  const jwsAlgorithm = alg ?? jwsAlgorithmFor(base);
  const withAlg: PublicJwk = { ...base, alg: jwsAlgorithm };
  const thumbprint = jwkThumbprint(base);
  const publicJwk: PublicJwk = { ...withAlg, kid: kid ?? thumbprint };
  return Object.freeze({
    privateKey,
    publicKey,
    publicJwk,
    kid: kid ?? thumbprint,
    jwsAlgorithm,
    httpAlgorithm: httpAlgorithmFor(withAlg),
    thumbprint,
  });
}

export type KeyType = 'Ed25519' | 'P-256' | 'RSA';

/** Generate a signing key (Ed25519 by default; the draft's MUST-support algorithm). `kid` defaults to the thumbprint. */
export function generateSigningKey(type: KeyType = 'Ed25519', kid?: string): SigningKey {
  const { privateKey } =
    type === 'Ed25519' ? generateKeyPairSync('ed25519')
      : type === 'P-256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signingKeyFrom(privateKey, kid, undefined);
}

/** Import a private JWK (e.g. from a key file). `kid` and `alg` members are kept when present. */
export function importSigningKey(jwk: PrivateJwk): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch (cause) {
    throw new TypeError('importSigningKey: not a valid private JWK', { cause });
  }
  const alg = typeof jwk.alg === 'string' ? (jwk.alg as JwsAlgorithm) : undefined;
  return signingKeyFrom(privateKey, jwk.kid, alg);
}

/** Export a signing key as a private JWK (for persisting it to a file the operator chooses). */
export function exportPrivateJwk(key: SigningKey): PrivateJwk {
  const jwk = key.privateKey.export({ format: 'jwk' }) as PrivateJwk;
  return { ...jwk, kid: key.kid, alg: key.jwsAlgorithm };
}
