/**
 * RFC 7638 JWK thumbprints: SHA-256 over the required members in lexicographic order, no
 * whitespace (§3.2). Used for `agent_jkt` and to compare `cnf.jwk` with the HTTP signing key.
 */
import { createHash } from 'node:crypto';
import { MalformedError } from '../errors.js';
import type { PublicJwk } from './types.js';

function requiredMembers(jwk: PublicJwk): Record<string, string> {
  const pick = (...names: string[]): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const name of names) {
      const value = jwk[name];
      if (typeof value !== 'string' || value.length === 0) {
        throw new MalformedError('invalid_request', `JWK member "${name}" is required for kty "${String(jwk.kty)}"`, undefined, { field: name, reason: 'missing' });
      }
      out[name] = value;
    }
    return out;
  };
  // RFC 7638 §3.2 (EC, RSA) and RFC 8037 §2 (OKP): required members only, already in order.
  switch (jwk.kty) {
    case 'OKP': return pick('crv', 'kty', 'x');
    case 'EC': return pick('crv', 'kty', 'x', 'y');
    case 'RSA': return pick('e', 'kty', 'n');
    default:
      throw new MalformedError('invalid_request', `unsupported JWK kty "${String(jwk.kty)}"`, undefined, { field: 'kty', reason: 'unsupported' });
  }
}

/** The canonical JSON of RFC 7638 §3.3 that is hashed. */
export function thumbprintInput(jwk: PublicJwk): string {
  return JSON.stringify(requiredMembers(jwk));
}

/** base64url(SHA-256(canonical JWK)). Throws `MalformedError` for an incomplete or unknown key. */
export function jwkThumbprint(jwk: PublicJwk): string {
  return createHash('sha256').update(thumbprintInput(jwk)).digest('base64url');
}
