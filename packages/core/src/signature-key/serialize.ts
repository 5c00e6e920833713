/** Serialise one `Signature-Key` member (wire notes §1.1: emit the dictionary form only). */
import { serializeDictionary, Token, type BareItem } from 'structured-headers';
import { toPublicJwk } from '../jwk/keys.js';
import { PROFILE, type AnyProfile } from '../profile/index.js';
import type { SignatureKey } from './types.js';

export interface SerializeOptions {
  /**
   * Put the key's `alg` member into an `hwk` key. SK-04 forbids it, but some verifiers of later
   * drafts demand it (see the interop test); off by default.
   */
  readonly hwkAlg?: boolean;
  /** Whose parameter names to use (default 2026-03: `well-known`; `AAUTH_CURRENT`: `dwk`). */
  readonly profile?: AnyProfile;
}

export function serializeSignatureKey(key: SignatureKey, options: SerializeOptions = {}): string {
  const params = new Map<string, BareItem>();
  switch (key.scheme) {
    case 'hwk': {
      const jwk = toPublicJwk(key.jwk);
      for (const name of ['kty', 'crv', 'x', 'y', 'n', 'e'] as const) {
        const value = jwk[name];
        if (typeof value === 'string') params.set(name, value);
      }
      if (options.hwkAlg && typeof jwk.alg === 'string') params.set('alg', jwk.alg);
      break;
    }
    case 'jwks_uri':
    {
      // §JWKS URI Discovery: `id`, the document (`well-known` at f22a52e, `dwk` in draft-04), `kid`.
      const names = (options.profile ?? PROFILE).signatureKeyJwksUri;
      params.set(names.id, key.id);
      if (key.wellKnown !== undefined) params.set(names.wellKnown, key.wellKnown);
      params.set(names.kid, key.kid);
      break;
    }
    case 'jwt':
      params.set('jwt', key.jwt);
      break;
    case 'x509':
      params.set('x5u', key.x5u);
      params.set('x5t', new Uint8Array(key.x5t) as unknown as BufferSource);
      break;
  }
  return serializeDictionary(new Map([[key.label, [new Token(key.scheme), params]]]));
}
