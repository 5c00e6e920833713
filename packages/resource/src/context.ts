/**
 * What a verified request tells the route (2026-03 §Request Verification;
 * draft-hardt-oauth-aauth-protocol §Person Token Verification, §Auth Token Verification): who
 * signed it, with which key, for which person, and what the presented token grants.
 */
import type { X509Certificate } from 'node:crypto';
import type {
  AaAgentTokenClaims, AaAuthTokenClaims, AaPersonTokenClaims, ActClaim, AgentTokenClaims, AuthTokenClaims, DelegatedTokenClaims, ProfileName, PublicJwk, SignatureKeyScheme,
} from '@aauth-ts/core';

/**
 * A delegated token's chain (RFC 8693 §4.1), for a route that accepts delegated tokens
 * (`requireAuth({ delegated })`): who the token is for, and every actor, outermost first.
 */
export interface Delegation {
  /** The token's `iss`. */
  readonly issuer: string;
  /** The token's `sub`: the original subject (the user) the chain acts for. */
  readonly subject: string;
  /** Actors, outermost (the caller, `agent`) first, then each earlier one. */
  readonly act: readonly string[];
  /** Scopes the token grants. */
  readonly scope: readonly string[];
}

/** The `Signature-Key` scheme the caller used. */
export type AAuthScheme = SignatureKeyScheme;

export interface AAuthContext {
  /**
   * The wire profile the request was verified in (the presented token's `typ` decides when both
   * are served). Always set by `verify`; a context built by hand without it is taken to be in the
   * resource's (first) profile.
   */
  readonly profile?: ProfileName;
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
   * Agent identifier: agent token `iss` (current profile: its `sub`, `aauth:local@domain`),
   * `jwks_uri` `id`, 2026-03 auth token `agent`, or for `x509` the leaf certificate's one URI
   * subjectAltName that is a server identifier. Current-profile person and auth tokens name no
   * agent (§Why No Agent Identifier Reaches a Resource): the key binds them.
   */
  readonly agent?: string;
  /** Agent delegate: agent token `sub`, or an auth token's `agent_delegate` when present. */
  readonly delegate?: string;
  /**
   * The user, from an auth token's `sub` (current profile: also a person token's). Current
   * profile: directed, unique within `ps`; the person is the pair (`ps`, `sub`).
   */
  readonly sub?: string;
  /**
   * Current profile: the Person Server the person is represented by: a person token's `iss`, an
   * auth token's `ps`.
   */
  readonly ps?: string;
  /** Current profile: the mission's `s256` carried by the person or auth token. */
  readonly missionS256?: string;
  /** Current profile: the person's organisation (`tenant`), when the token carries one; not part of the person's identifier. */
  readonly tenant?: string;
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
  readonly claims?: Readonly<AgentTokenClaims | AuthTokenClaims | AaAgentTokenClaims | AaPersonTokenClaims | AaAuthTokenClaims | DelegatedTokenClaims>;
  /**
   * Which token was presented with the `jwt` scheme (`person`: current profile only; `delegated`:
   * an RFC 8693 `at+jwt`, accepted only on routes that opt in).
   */
  readonly tokenType?: 'agent' | 'person' | 'auth' | 'delegated';
  /** Set with a delegated token: its subject and chain (`req.aauth.delegation`). */
  readonly delegation?: Delegation;
  /** The raw auth token (or delegated token) when one was presented: the `upstream_token` for call chaining, the `subject_token` for an onward exchange. */
  readonly authToken?: string;
  /** The validated leaf certificate (`x509` scheme). */
  readonly certificate?: X509Certificate;
  /** Covered components of the verified signature, in order. */
  readonly components: readonly string[];
  /** The signature's `created` parameter. */
  readonly created: number;
}
