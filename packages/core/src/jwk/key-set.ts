/**
 * Publishing keys: a JWKS (RFC 7517 §5) of public members only, each with `kid`, `alg`, `use`. In
 * the current profile `alg` is the fully specified name (draft-hardt-oauth-aauth-protocol §JWKS
 * Discovery and Caching: a key without one "cannot be used"; `Ed25519`, never `EdDSA`), which the
 * 2026-03 verifiers read as well: they select by key type and curve.
 */
import { AAUTH_2026_03, AAUTH_CURRENT, type ProfileName } from '../profile/index.js';
import { currentAlgorithmFor } from '../tokens/current/common.js';
import type { JwkSet, SigningKey } from './types.js';

export function toJwks(keys: readonly SigningKey[], profile: ProfileName = AAUTH_2026_03.name): JwkSet {
  const current = profile === AAUTH_CURRENT.name;
  return { keys: keys.map((k) => ({ ...k.publicJwk, ...(current ? { alg: currentAlgorithmFor(k) } : {}), use: 'sig' })) };
}
