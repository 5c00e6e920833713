/** Raw signature primitives for RFC 9421 §3.3 algorithms over node:crypto. */
import { sign as cryptoSign, verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import type { HttpSignatureAlgorithm } from './types.js';

export function rawSign(alg: HttpSignatureAlgorithm, key: KeyObject, data: Buffer): Buffer {
  switch (alg) {
    case 'ed25519': return cryptoSign(null, data, key);
    // RFC 9421 §3.3.4: ECDSA signatures are r‖s, not DER.
    case 'ecdsa-p256-sha256': return cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
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
