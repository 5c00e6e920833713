import type { PublicJwk } from '../jwk/types.js';

/** `hwk`: the public key inline (pseudonymous; trust = its RFC 7638 thumbprint). */
export interface HwkSignatureKey { readonly label: string; readonly scheme: 'hwk'; readonly jwk: PublicJwk }
/**
 * `jwks_uri`: `{id}/.well-known/{wellKnown}` → `jwks_uri` → key `kid` (identified signer without a
 * token). On the wire `wellKnown` is the `well-known` parameter (a later draft's `dwk` is read too).
 */
export interface JwksUriSignatureKey { readonly label: string; readonly scheme: 'jwks_uri'; readonly id: string; readonly wellKnown: string | undefined; readonly kid: string }
/** `jwt`: a JWT whose `cnf.jwk` is the signing key (agent token or auth token). */
export interface JwtSignatureKey { readonly label: string; readonly scheme: 'jwt'; readonly jwt: string }
/** `x509`: certificate chain at `x5u`, leaf pinned by `x5t` (SHA-256 of the DER). */
export interface X509SignatureKey { readonly label: string; readonly scheme: 'x509'; readonly x5u: string; readonly x5t: Uint8Array }

export type SignatureKey = HwkSignatureKey | JwksUriSignatureKey | JwtSignatureKey | X509SignatureKey;
export type SignatureKeyScheme = SignatureKey['scheme'];
export const SIGNATURE_KEY_SCHEMES: readonly SignatureKeyScheme[] = ['hwk', 'jwks_uri', 'jwt', 'x509'];
