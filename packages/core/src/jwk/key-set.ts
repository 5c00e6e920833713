/** Publishing keys: a JWKS (RFC 7517 §5) of public members only, each with `kid`, `alg`, `use`. */
import type { JwkSet, SigningKey } from './types.js';

export function toJwks(keys: readonly SigningKey[]): JwkSet {
  return { keys: keys.map((k) => ({ ...k.publicJwk, use: 'sig' })) };
}
