/**
 * The 2026-03 wire profile: every header name, JWT `typ`, metadata document name, challenge
 * parameter and error code of `draft-hardt-aauth.md` at commit c465b2d (2026-03-05).
 *
 * No other module spells out a wire name: the second profile (the current draft, with
 * `AAuth-Requirement` and `aa-*` types) is `AAUTH_CURRENT` in `aauth-current.ts`.
 */
export const AAUTH_2026_03 = Object.freeze({
  id: '2026-03' as const,
  name: 'aauth-2026-03' as const,
  headers: Object.freeze({
    challenge: 'AAuth',
    signatureKey: 'Signature-Key',
    signature: 'Signature',
    signatureInput: 'Signature-Input',
    contentDigest: 'Content-Digest',
    contentType: 'Content-Type',
    location: 'Location',
    retryAfter: 'Retry-After',
    prefer: 'Prefer',
    /** RFC 7240 §3: which preferences (here `wait`) the server honoured, and how. */
    preferenceApplied: 'Preference-Applied',
    cacheControl: 'Cache-Control',
  }),
  /** Covered components as they appear in `Signature-Input` (RFC 9421 §2). */
  components: Object.freeze({
    method: '@method',
    authority: '@authority',
    path: '@path',
    query: '@query',
    targetUri: '@target-uri',
    signatureKey: 'signature-key',
    contentType: 'content-type',
    contentDigest: 'content-digest',
  }),
  /** §Request Verification: the four components every request signature covers. */
  requiredComponents: Object.freeze(['@method', '@authority', '@path', 'signature-key'] as const),
  /** Components added whenever the request has a body (RFC 9530 binding of the body). */
  bodyComponents: Object.freeze(['content-type', 'content-digest'] as const),
  /**
   * §Covered Components: a server that requires components beyond `requiredComponents` lists them
   * under `metadataMember` in its metadata (the draft names it for resources; the issuer document
   * carries the same member for its token endpoint). §Error Responses, `invalid_signature`: a
   * refusal for missing components lists the required ones under `errorMember`.
   */
  signatureComponents: Object.freeze({
    metadataMember: 'additional_signature_components',
    errorMember: 'required_components',
  }),
  /**
   * How `verifyRequest` treats this profile: an `alg` signature parameter must name the key's own
   * algorithm; the key's algorithm comes from its type; errors are `{error, error_description}`.
   */
  requestVerification: Object.freeze({
    algParameter: 'match' as 'ignore' | 'match',
    keyAlgRequired: false as boolean,
    errorFormat: 'oauth-json' as 'rfc9457' | 'oauth-json',
  }),
  defaultLabel: 'sig',
  /**
   * `Signature-Key` parameters of the `jwks_uri` scheme (draft-hardt-httpbis-signature-key at
   * f22a52e, §JWKS URI Discovery): the signer `id`, the metadata document name under
   * `/.well-known/`, and the `kid`. We emit `well-known`; `dwk`, the name a later draft gave the
   * document parameter, is read as well.
   */
  signatureKeyJwksUri: Object.freeze({
    id: 'id',
    wellKnown: 'well-known',
    kid: 'kid',
    wellKnownAliases: Object.freeze(['dwk'] as const),
  }),
  typ: Object.freeze({
    agent: 'agent+jwt',
    resource: 'resource+jwt',
    auth: 'auth+jwt',
  }),
  /** §Metadata: one document per role, at `{identifier}/.well-known/{name}`. */
  wellKnown: Object.freeze({
    agent: 'aauth-agent.json',
    resource: 'aauth-resource.json',
    issuer: 'aauth-issuer.json',
  }),
  /** §Challenge: the `AAuth` header is an RFC 8941 dictionary whose `require` member is a token. */
  challenge: Object.freeze({
    requireKey: 'require',
    values: Object.freeze(['pseudonym', 'identity', 'auth-token', 'interaction', 'approval', 'delegated-token'] as const),
    params: Object.freeze({
      resourceToken: 'resource-token',
      authServer: 'auth-server',
      code: 'code',
      audience: 'audience',
      scope: 'scope',
    }),
    /**
     * Extension (not in the draft; docs/auth-server-contract.md "Delegated tokens at resources"):
     * `require=delegated-token; auth-server="…"; audience="…"; scope="…"` asks for an RFC 8693
     * delegated token (`at+jwt`, obtained by token exchange at `auth-server` with the agent's
     * subject token, `audience` and `scope`) instead of an auth token. No resource token: the
     * exchange names the resource by `audience`.
     */
    delegatedToken: 'delegated-token' as const,
  }),
  /** §User Interaction: query parameters of `{interaction_endpoint}`. */
  interaction: Object.freeze({
    code: 'code',
    callback: 'callback',
  }),
  /**
   * §Deferred Responses (and §Interaction Required): members of a `202` body. `status` is always
   * `pending`; `location` echoes the `Location` header.
   */
  deferred: Object.freeze({
    status: 'status',
    location: 'location',
    require: 'require',
    code: 'code',
    pending: 'pending',
  }),
  /** §Resource Token Endpoint: the request member and the response members. */
  resourceTokenEndpoint: Object.freeze({
    scope: 'scope',
    resourceToken: 'resource_token',
    authServer: 'auth_server',
  }),
  /** §Token Endpoint request members. */
  tokenRequest: Object.freeze({
    resourceToken: 'resource_token',
    upstreamToken: 'upstream_token',
    authToken: 'auth_token',
    scope: 'scope',
    purpose: 'purpose',
    loginHint: 'login_hint',
    /** OpenID Connect Enterprise Extensions 1.0: passed through to the consent step. */
    tenant: 'tenant',
    domainHint: 'domain_hint',
    clarificationResponse: 'clarification_response',
  }),
  /** §Error Responses, plus the OAuth codes the token endpoint reuses for policy refusals. */
  errors: Object.freeze({
    invalid_request: 400,
    invalid_signature: 401,
    invalid_agent_token: 401,
    invalid_resource_token: 400,
    invalid_auth_token: 401,
    key_binding_failed: 401,
    invalid_scope: 400,
    insufficient_scope: 403,
    access_denied: 403,
    // §Polling Error Codes: terminal answers of a pending URL.
    denied: 403,
    abandoned: 403,
    expired: 408,
    invalid_code: 410,
    // RFC 6749 §5.2 / RFC 8693 §2.2.2 codes of the OAuth token endpoint (token exchange).
    invalid_grant: 400,
    invalid_target: 400,
    unsupported_grant_type: 400,
    server_error: 500,
    // RFC 6749 §4.1.2.1: the server cannot answer for now (a shared store is down); with `Retry-After`.
    temporarily_unavailable: 503,
  } as const),
});

export type Profile = typeof AAUTH_2026_03;
export type RequireValue = Profile['challenge']['values'][number];
export type TokenKind = keyof Profile['typ'];
