/**
 * Names of the AAuth attributes kept in a Keycloak realm file. Keycloak stores free-form
 * attributes as strings; lists are JSON arrays inside the string (e.g. `["https://as.example"]`).
 * The Keycloak provider reads the same names.
 */
export const REALM_ATTRIBUTES = Object.freeze({
  allowLoopback: 'aauth.allowLoopback',
  signatureWindow: 'aauth.signatureWindow',
  refreshWindow: 'aauth.refreshWindow',
  /** "false": only an expired auth token is refreshed (2026-03 §Token Refresh); default "true". */
  earlyRefresh: 'aauth.earlyRefresh',
  pendingLifespan: 'aauth.pendingLifespan',
  /** Longest a poll is held for `Prefer: wait` (seconds; RFC 7240 §4.3). */
  maxPollWait: 'aauth.maxPollWait',
  /** Polls held at once in the realm; beyond it a poll is answered at once. */
  maxHeldPolls: 'aauth.maxHeldPolls',
  consentScopes: 'aauth.consentScopes',
  trustedIssuers: 'aauth.trustedIssuers',
  maxAuthAge: 'aauth.maxAuthAge',
  /** Most actors in a delegation chain (integer, 1–15, default 15; the default chain policy). */
  maxChainDepth: 'aauth.maxChainDepth',
  /** JSON array of the only agents that may appear anywhere in a delegation chain; absent = any. */
  chainActors: 'aauth.chainActors',
  /** `strict` (default) or `draft-minimum`: the components a request signature must cover. */
  signatureComponents: 'aauth.signatureComponents',
  /** PEM trust anchors for agents signing with the `x509` Signature-Key scheme; absent = scheme refused. */
  x509TrustAnchors: 'aauth.x509TrustAnchors',
  /** "true": the realm also serves the current draft's Person Server (draft-hardt-oauth-aauth-protocol §Person Server); default off. */
  personServer: 'aauth.personServer',
  /** Secret salt of the Person Server's directed `sub` (docs/profile-current.md, "Person Server"). */
  pairwiseSalt: 'aauth.pairwiseSalt',
});

export const CLIENT_ATTRIBUTES = Object.freeze({
  agent: 'aauth.agent',
  resource: 'aauth.resource',
  /**
   * JSON array of scopes this agent may obtain for a user who reached it through another agent
   * (an upstream or subject token naming the user) without asking that user; absent = none.
   */
  chainScopes: 'aauth.chainScopes',
  /** Keycloak's own per-client auth-token lifetime (seconds), overriding the realm's `accessTokenLifespan`. */
  accessTokenLifespan: 'access.token.lifespan',
  /** This agent's refresh window (seconds after `exp`), overriding the realm attribute of the same name. */
  refreshWindow: 'aauth.refreshWindow',
});

/** User attributes (Keycloak keeps them as string arrays; the first value is read). */
export const USER_ATTRIBUTES = Object.freeze({
  /** JSON array of agent identifiers allowed to act for this user in RFC 8693 exchanges (§4.4 `may_act`). */
  mayAct: 'aauth.mayAct',
  /** Links to subjects of trusted issuers, one `{issuer} {sub}` per value (Keycloak's multi-valued attribute). */
  federatedSubject: 'aauth.federatedSubject',
  /**
   * Agents bound to this user (draft-hardt-oauth-aauth-protocol §Agent-Person Binding), one
   * `{agent provider} {agent identifier}` per value: an administrator's pre-authorization.
   */
  agentBinding: 'aauth.agentBinding',
});

export const SCOPE_ATTRIBUTES = Object.freeze({
  resource: 'aauth.resource',
  consentText: 'consent.screen.text',
});

/** Upper bound of `aauth.maxPollWait`: a held poll is a held connection (a worker thread on Keycloak). */
export const MAX_POLL_WAIT_CEILING = 30;

export const DEFAULTS = Object.freeze({
  /** Keycloak's own default `accessTokenLifespan`. */
  accessTokenLifespan: 300,
  signatureWindow: 60,
  refreshWindow: 86_400,
  earlyRefresh: true,
  pendingLifespan: 600,
  maxPollWait: 5,
  maxHeldPolls: 16,
  /** Keycloak's own default SSO Session Max (10 h): after it, the user must approve again. */
  maxAuthAge: 36_000,
});
