/**
 * The parts of a Keycloak realm representation (`RealmRepresentation`, as written by
 * `kc.sh export` and read by `kc.sh import`) that the embedded auth server understands, and the
 * validated in-memory model built from them. Field names are Keycloak's own; AAuth-specific knobs
 * live in `attributes` (string values), as Keycloak requires.
 */

import type { ComponentPolicy } from '@aauth-ts/core';
import type { X509Certificate } from 'node:crypto';
import type { PasswordVerifier } from './password.js';

export interface CredentialRepresentation {
  readonly type?: string;
  /** A plain password (hashed with scrypt at load). */
  readonly value?: string;
  readonly temporary?: boolean;
  /** Keycloak's stored form, as `kc.sh export` writes it: `{"value": base64 hash, "salt": base64}`. */
  readonly secretData?: string;
  /** `{"hashIterations": n, "algorithm": "pbkdf2-sha256"}` (also `pbkdf2`, `pbkdf2-sha512`). */
  readonly credentialData?: string;
}

export interface UserRepresentation {
  readonly id?: string;
  readonly username?: string;
  readonly enabled?: boolean;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly credentials?: readonly CredentialRepresentation[];
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Links to identity-provider accounts (Keycloak's `FederatedIdentityRepresentation`). */
  readonly federatedIdentities?: readonly FederatedIdentityRepresentation[];
}

export interface FederatedIdentityRepresentation {
  /** The provider's `alias`. */
  readonly identityProvider?: string;
  /** The user's `sub` at that provider. */
  readonly userId?: string;
  readonly userName?: string;
}

/** Keycloak's `IdentityProviderRepresentation`; only OpenID Connect ones (`oidc`, `keycloak-oidc`) are used. */
export interface IdentityProviderRepresentation {
  readonly alias?: string;
  readonly providerId?: string;
  readonly enabled?: boolean;
  /** `issuer` and `jwksUrl` are read; Keycloak's other settings (client id, endpoints) concern its login, not tokens. */
  readonly config?: Readonly<Record<string, unknown>>;
}

export interface ClientRepresentation {
  readonly clientId?: string;
  readonly name?: string;
  readonly description?: string;
  readonly enabled?: boolean;
  readonly consentRequired?: boolean;
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly defaultClientScopes?: readonly string[];
  readonly optionalClientScopes?: readonly string[];
}

export interface ClientScopeRepresentation {
  readonly name?: string;
  readonly description?: string;
  readonly protocol?: string;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

export interface RealmRepresentation {
  readonly realm?: string;
  readonly displayName?: string;
  readonly enabled?: boolean;
  readonly accessTokenLifespan?: number;
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly users?: readonly UserRepresentation[];
  readonly identityProviders?: readonly IdentityProviderRepresentation[];
  readonly clients?: readonly ClientRepresentation[];
  readonly clientScopes?: readonly ClientScopeRepresentation[];
}

/** A realm user who can log in on the interaction page; `id` becomes the auth token's `sub`. */
export interface RealmUser {
  readonly id: string;
  readonly username: string;
  readonly enabled: boolean;
  readonly email: string | undefined;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  /** The password credential's verifier (salted scrypt, or Keycloak's pbkdf2); undefined = cannot log in. */
  readonly password: PasswordVerifier | undefined;
  /**
   * Agents allowed to act for this user in RFC 8693 token exchange (attribute `aauth.mayAct`);
   * undefined = no restriction beyond the subject token's own `may_act`.
   */
  readonly mayAct: readonly string[] | undefined;
  /**
   * Subjects of trusted issuers and identity providers linked to this user, `{issuer} {sub}` each:
   * the attribute `aauth.federatedSubject` and the user's `federatedIdentities` together.
   */
  readonly federatedSubjects: readonly string[];
  /** Agents an administrator bound to this user (`aauth.agentBinding`, `{agent provider} {agent identifier}` each). */
  readonly agentBindings: readonly string[];
}

/** A client with `aauth.agent` and/or `aauth.resource` set to "true"; `clientId` is its identifier URL. */
export interface RealmClient {
  readonly clientId: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly enabled: boolean;
  readonly isAgent: boolean;
  readonly isResource: boolean;
  /** The user must approve this agent's requests (unless it acts with an upstream token carrying `sub`). */
  readonly consentRequired: boolean;
  /** Scopes this agent may obtain. */
  readonly optionalClientScopes: readonly string[];
  /**
   * Scopes this agent may obtain without asking the user when the user reached it through another
   * agent (`aauth.chainScopes`); undefined = none (every such grant needs the user's approval).
   */
  readonly chainScopes: readonly string[] | undefined;
  /** This agent's auth-token lifetime (`access.token.lifespan`); undefined = the realm's. */
  readonly accessTokenLifespan: number | undefined;
  /** This agent's refresh window (`aauth.refreshWindow` on the client); undefined = the realm's. */
  readonly refreshWindow: number | undefined;
}

/** An OpenID provider whose access tokens may be token-exchange subject tokens ("Foreign subjects"). */
export interface RealmIdentityProvider {
  readonly alias: string;
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly enabled: boolean;
}

export interface RealmScope {
  readonly name: string;
  readonly description: string | undefined;
  /** Text shown on the consent page (`consent.screen.text`, else the description, else the name). */
  readonly consentText: string;
  /** The resource (clientId) that offers this scope (`aauth.resource`), if any. */
  readonly resource: string | undefined;
}

/** Realm-wide AAuth settings, from realm attributes (see the package README for the mapping). */
export interface RealmSettings {
  readonly allowLoopback: boolean;
  /** ± seconds accepted around a request signature's `created` (`aauth.signatureWindow`, default 60). */
  readonly signatureWindow: number;
  /** How long after `exp` an auth token may still be refreshed (`aauth.refreshWindow`, default 86400; 0 = not once expired). */
  readonly refreshWindow: number;
  /** Whether an unexpired auth token may be refreshed (`aauth.earlyRefresh`, default true). */
  readonly earlyRefresh: boolean;
  /** Lifetime of a pending (consent) request (`aauth.pendingLifespan`, default 600). */
  readonly pendingLifespan: number;
  /** Longest a poll is held for `Prefer: wait` (`aauth.maxPollWait`, default 5, at most 30). */
  readonly maxPollWait: number;
  /** Polls held at once (`aauth.maxHeldPolls`, default 16); beyond it a poll is answered at once. */
  readonly maxHeldPolls: number;
  /** How long after the user's authorization (`auth_time`) tokens may still name them (`aauth.maxAuthAge`, default 36000). */
  readonly maxAuthAge: number;
  readonly consentScopes: readonly string[];
  readonly trustedIssuers: readonly string[];
  /** Most actors in a delegation chain (`aauth.maxChainDepth`, default 15); the default chain policy. */
  readonly maxChainDepth: number;
  /** The only agents that may appear in a delegation chain (`aauth.chainActors`); undefined = any. */
  readonly chainActors: readonly string[] | undefined;
  /** Components a request signature must cover (`aauth.signatureComponents`, default `strict`; see core `components.ts`). */
  readonly signatureComponents: ComponentPolicy;
  /** Trust anchors of the `x509` Signature-Key scheme (`aauth.x509TrustAnchors`, PEM); empty = scheme refused. */
  readonly x509TrustAnchors: readonly X509Certificate[];
  /** Whether the realm serves the Person Server of the current draft (`aauth.personServer`, default false). */
  readonly personServer: boolean;
  /** Salt of the directed `sub` (`aauth.pairwiseSalt`); undefined = a random one per process. */
  readonly pairwiseSalt: string | undefined;
}

export interface RealmModel {
  readonly name: string;
  readonly displayName: string;
  /** Auth-token lifetime in seconds (`accessTokenLifespan`, Keycloak's default 300). */
  readonly accessTokenLifespan: number;
  readonly settings: RealmSettings;
  /** By username (lower case). */
  readonly users: ReadonlyMap<string, RealmUser>;
  /** By id (the `sub` of tokens naming them). */
  readonly usersById: ReadonlyMap<string, RealmUser>;
  /** By linked foreign subject, `{issuer} {sub}` (user attribute `aauth.federatedSubject`, `federatedIdentities`). */
  readonly federatedSubjects: ReadonlyMap<string, RealmUser>;
  /** OpenID identity providers (`identityProviders`), by issuer. */
  readonly identityProviders: ReadonlyMap<string, RealmIdentityProvider>;
  readonly clients: ReadonlyMap<string, RealmClient>;
  readonly scopes: ReadonlyMap<string, RealmScope>;
}
