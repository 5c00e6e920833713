/** Raw signature primitives for RFC 9421 §3.3 algorithms over node:crypto. */
import { sign as cryptoSign, verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import type { HttpSignatureAlgorithm } from './types.js';

/** SEC 2 §2.4.2 (RFC 5903 §3.1): the order n of the P-256 group, and n/2. */
const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
const P256_HALF_N = P256_N >> 1n;
const P256_SCALAR_BYTES = 32;

function scalar(bytes: Buffer): bigint {
  return BigInt(`0x${bytes.toString('hex') || '0'}`);
}

/**
 * An ECDSA P-256 signature r‖s whose s lies in the upper half of the group. For every valid
 * (r, s), (r, n−s) verifies too, so a verifier that accepted both would see two different
 * signatures for one signed message. We sign low-S only and refuse high-S, which leaves one
 * encoding per signature.
 */
export function isHighS(signature: Buffer): boolean {
  return signature.length === 2 * P256_SCALAR_BYTES && scalar(signature.subarray(P256_SCALAR_BYTES)) > P256_HALF_N;
}

/** (r, s) → (r, n−s) when s is high; the signature stays valid (see `isHighS`). */
function lowS(signature: Buffer): Buffer {
  if (!isHighS(signature)) return signature;
  const s = P256_N - scalar(signature.subarray(P256_SCALAR_BYTES));
  return Buffer.concat([signature.subarray(0, P256_SCALAR_BYTES), Buffer.from(s.toString(16).padStart(2 * P256_SCALAR_BYTES, '0'), 'hex')]);
}

export function rawSign(alg: HttpSignatureAlgorithm, key: KeyObject, data: Buffer): Buffer {
  switch (alg) {
    case 'ed25519': return cryptoSign(null, data, key);
    // RFC 9421 §3.3.4: ECDSA signatures are r‖s, not DER.
    case 'ecdsa-p256-sha256': return lowS(cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
    case 'rsa-v1_5-sha256': return cryptoSign('sha256', data, key);
    case 'rsa-pss-sha512': return cryptoSign('sha512', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 });
  }
}

export function rawVerify(alg: HttpSignatureAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    switch (alg) {
      case 'ed25519': return cryptoVerify(null, data, key, signature);
      case 'ecdsa-p256-sha256': return cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'rsa-v1_5-sha256': return cryptoVerify('sha256', data, key, signature);
      case 'rsa-pss-sha512': return cryptoVerify('sha512', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, signature);
    }
  } catch {
    // A key of the wrong type for the algorithm is a failed verification, not a crash.
    return false;
  }
}
