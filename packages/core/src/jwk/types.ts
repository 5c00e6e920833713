import type { KeyObject } from 'node:crypto';

/** A public JWK (RFC 7517) as it travels in `cnf.jwk`, `hwk` and JWKS documents. */
export interface PublicJwk {
  kty: 'OKP' | 'EC' | 'RSA' | string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  kid?: string;
  alg?: string;
  use?: string;
  [member: string]: unknown;
}

/** A private JWK: the public members plus `d` (and RSA CRT members). */
export interface PrivateJwk extends PublicJwk {
  d: string;
}

export interface JwkSet {
  keys: PublicJwk[];
}

/** JWS algorithms we sign and verify JWTs with (RFC 7518, RFC 8037, RFC 9864). */
export type JwsAlgorithm = 'EdDSA' | 'Ed25519' | 'ES256' | 'RS256' | 'PS256';

/** RFC 9421 §3.3 HTTP signature algorithms; in AAuth always derived from the key, never negotiated. */
export type HttpSignatureAlgorithm = 'ed25519' | 'ecdsa-p256-sha256' | 'rsa-v1_5-sha256' | 'rsa-pss-sha512';

/** A private key ready to sign HTTP messages and JWTs. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Public members only, with `kid` and `alg`. */
  readonly publicJwk: PublicJwk;
  readonly kid: string;
  readonly jwsAlgorithm: JwsAlgorithm;
  readonly httpAlgorithm: HttpSignatureAlgorithm;
  /** RFC 7638 SHA-256 thumbprint of the public key. */
  readonly thumbprint: string;
}
