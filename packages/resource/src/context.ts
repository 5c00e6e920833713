/**
 * What a verified request tells the route (2026-03 §Request Verification): who signed it, with
 * which key, and what the presented token grants.
 */
import type { X509Certificate } from 'node:crypto';
import type { ActClaim, AgentTokenClaims, AuthTokenClaims, PublicJwk, SignatureKeyScheme } from '@aauth-ts/core';

/** The `Signature-Key` scheme the caller used. */
export type AAuthScheme = SignatureKeyScheme;

export interface AAuthContext {
  /**
   * `hwk` = pseudonymous; `jwks_uri` = identified agent; `jwt` = agent token or auth token;
   * `x509` = a certificate chain to one of `x509TrustAnchors`.
   */
  readonly scheme: AAuthScheme;
  /** RFC 7638 thumbprint of the key that signed the request (stable pseudonym for `hwk`). */
  readonly thumbprint: string;
  /** The public key that signed the request. */
  readonly jwk: PublicJwk;
  /**
   * Agent identifier: agent token `iss`, `jwks_uri` `id`, auth token `agent`, or for `x509` the
   * leaf certificate's one URI subjectAltName that is a server identifier.
   */
  readonly agent?: string;
  /** Agent delegate: agent token `sub`, or an auth token's `agent_delegate` when present. */
  readonly delegate?: string;
  /** The user, from an auth token's `sub`. */
  readonly sub?: string;
  /**
   * An auth token's RFC 8693 `act`: the party acting for `sub`, earlier actors nested (2026-03
   * §Auth Token Structure allows registered claims). History only: `agent` is who calls now.
   */
  readonly act?: ActClaim;
  /** An auth token's `auth_time` (OpenID Connect Core §2): when the user authenticated. */
  readonly authTime?: number;
  /** Scopes granted by the auth token (`scope`, space-separated on the wire); empty otherwise. */
  readonly scopes: readonly string[];
  /** Issuer of the presented token. */
  readonly issuer?: string;
  /** The verified claims of the presented token. */
  readonly claims?: Readonly<AgentTokenClaims | AuthTokenClaims>;
  /** Which token was presented with the `jwt` scheme. */
  readonly tokenType?: 'agent' | 'auth';
  /** The raw auth token when one was presented (the `upstream_token` for call chaining). */
  readonly authToken?: string;
  /** The validated leaf certificate (`x509` scheme). */
  readonly certificate?: X509Certificate;
  /** Covered components of the verified signature, in order. */
  readonly components: readonly string[];
  /** The signature's `created` parameter. */
  readonly created: number;
}
