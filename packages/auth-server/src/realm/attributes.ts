/**
 * Names of the AAuth attributes kept in a Keycloak realm file. Keycloak stores free-form
 * attributes as strings; lists are JSON arrays inside the string (e.g. `["https://as.example"]`).
 * The Keycloak provider reads the same names.
 */
export const REALM_ATTRIBUTES = Object.freeze({
  allowLoopback: 'aauth.allowLoopback',
  signatureWindow: 'aauth.signatureWindow',
  refreshWindow: 'aauth.refreshWindow',
  pendingLifespan: 'aauth.pendingLifespan',
  consentScopes: 'aauth.consentScopes',
  trustedIssuers: 'aauth.trustedIssuers',
  maxAuthAge: 'aauth.maxAuthAge',
  /** PEM trust anchors for agents signing with the `x509` Signature-Key scheme; absent = scheme refused. */
  x509TrustAnchors: 'aauth.x509TrustAnchors',
});

export const CLIENT_ATTRIBUTES = Object.freeze({
  agent: 'aauth.agent',
  resource: 'aauth.resource',
  /**
   * JSON array of scopes this agent may obtain for a user who reached it through another agent
   * (an upstream or subject token naming the user) without asking that user; absent = none.
   */
  chainScopes: 'aauth.chainScopes',
});

/** User attributes (Keycloak keeps them as string arrays; the first value is read). */
export const USER_ATTRIBUTES = Object.freeze({
  /** JSON array of agent identifiers allowed to act for this user in RFC 8693 exchanges (§4.4 `may_act`). */
  mayAct: 'aauth.mayAct',
  /** Links to subjects of trusted issuers, one `{issuer} {sub}` per value (Keycloak's multi-valued attribute). */
  federatedSubject: 'aauth.federatedSubject',
});

export const SCOPE_ATTRIBUTES = Object.freeze({
  resource: 'aauth.resource',
  consentText: 'consent.screen.text',
});

export const DEFAULTS = Object.freeze({
  /** Keycloak's own default `accessTokenLifespan`. */
  accessTokenLifespan: 300,
  signatureWindow: 60,
  refreshWindow: 86_400,
  pendingLifespan: 600,
  /** Keycloak's own default SSO Session Max (10 h): after it, the user must approve again. */
  maxAuthAge: 36_000,
});
