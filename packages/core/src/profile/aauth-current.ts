/**
 * The current wire profile: every header name, JWT `typ`, metadata document and member, requirement
 * value, request/response member and error code of `draft-hardt-oauth-aauth-protocol` at commit
 * a99d353 (cited below as §Name). Where a concept is shared with `AAUTH_2026_03` the member has the
 * same name and shape; what the current draft adds sits beside it.
 */
export const AAUTH_CURRENT = Object.freeze({
  id: 'current' as const,
  name: 'aauth-current' as const,
  headers: Object.freeze({
    /** §AAuth-Requirement Header Structure: replaces the 2026-03 `AAuth` challenge. */
    requirement: 'AAuth-Requirement',
    /** §AAuth-Access Response Header: the resource's opaque session token. */
    access: 'AAuth-Access',
    /** §AAuth-Capabilities Request Header: an RFC 8941 List of Tokens. */
    capabilities: 'AAuth-Capabilities',
    /** §Authentication Errors: the Signature-Key draft's machine-readable error carrier. */
    signatureError: 'Signature-Error',
    /** §Verification (Server) step 4 / §Signature-Key Scheme Rejection. */
    acceptSignatureScheme: 'Accept-Signature-Scheme',
    /** §Verification (Server) step 6. */
    acceptSignatureAlg: 'Accept-Signature-Alg',
    /** §AAuth-Access Response Header: `Authorization: AAuth <session token>`. */
    authorization: 'Authorization',
    signatureKey: 'Signature-Key',
    signature: 'Signature',
    signatureInput: 'Signature-Input',
    contentDigest: 'Content-Digest',
    contentType: 'Content-Type',
    location: 'Location',
    retryAfter: 'Retry-After',
    prefer: 'Prefer',
    preferenceApplied: 'Preference-Applied',
    cacheControl: 'Cache-Control',
  }),
  /** §HTTP Authentication Scheme Registration: the scheme of `Authorization` carrying a session token. */
  authorizationScheme: 'AAuth',
  /** §Error Response Format: RFC 9457 problem details. */
  problemContentType: 'application/problem+json',
  components: Object.freeze({
    method: '@method',
    authority: '@authority',
    path: '@path',
    query: '@query',
    targetUri: '@target-uri',
    signatureKey: 'signature-key',
    contentType: 'content-type',
    contentDigest: 'content-digest',
    /** §AAuth-Access Response Header: covered whenever a session token is sent. */
    authorization: 'authorization',
  }),
  /** §Covered Components: the four every request signature covers. */
  requiredComponents: Object.freeze(['@method', '@authority', '@path', 'signature-key'] as const),
  /**
   * §Covered Components: on a request with a body to a PS or AS endpoint these are required
   * unconditionally; a resource asks for them through `additional_signature_components`.
   */
  bodyComponents: Object.freeze(['content-type', 'content-digest'] as const),
  /** §Resource Metadata `additional_signature_components`; §Verification step 2 `invalid_input` + `required_input`. */
  signatureComponents: Object.freeze({
    metadataMember: 'additional_signature_components',
    errorMember: 'required_input',
  }),
  defaultLabel: 'sig',
  /** §Keying Material: agents sign only with `scheme=jwt`; anything else is `unsupported_scheme`. */
  signatureKeySchemes: Object.freeze(['jwt'] as const),
  /**
   * How `verifyRequest` differs from 2026-03 (§Verification (Server), §Signature Parameters):
   * the `alg` signature parameter is ignored; the key's own `alg` must be present and fully
   * specified (else `unsupported_algorithm`); failures are RFC 9457 problems with `Signature-Error`.
   */
  requestVerification: Object.freeze({
    algParameter: 'ignore' as 'ignore' | 'match',
    keyAlgRequired: true as boolean,
    errorFormat: 'rfc9457' as 'rfc9457' | 'oauth-json',
  }),
  /** §Signature Parameters: `created` is required; `alg` is never sent and ignored when present. */
  signatureParams: Object.freeze({ created: 'created', expires: 'expires', alg: 'alg', keyid: 'keyid' }),
  /**
   * §Signature Algorithms: fully specified JWS identifiers (RFC 9864). `Ed25519` is required of
   * every party; the polymorphic `EdDSA` is refused everywhere in this profile.
   */
  algorithms: Object.freeze(['Ed25519', 'ES256', 'PS256', 'RS256'] as const),
  signatureKeyJwksUri: Object.freeze({
    id: 'id',
    wellKnown: 'dwk',
    kid: 'kid',
    wellKnownAliases: Object.freeze([] as const),
  }),
  /** §Agent Identifiers: `aauth:local@domain`; `+` joins a sub-agent's discriminator to its parent's `local`. */
  agentIdentifier: Object.freeze({ scheme: 'aauth:', subAgentDelimiter: '+', maxLocalLength: 255 }),
  /** §JWT Type Registrations. */
  typ: Object.freeze({
    agent: 'aa-agent+jwt',
    person: 'aa-person+jwt',
    resource: 'aa-resource+jwt',
    auth: 'aa-auth+jwt',
  }),
  /** §Well-Known URI Registrations: one document per role, at `{issuer}/.well-known/{name}`. */
  wellKnown: Object.freeze({
    agent: 'aauth-agent.json',
    person: 'aauth-person.json',
    access: 'aauth-access.json',
    resource: 'aauth-resource.json',
  }),
  /** The `dwk` claim each token type must carry (§Agent/Person/Resource/Auth Token Structure). */
  dwk: Object.freeze({
    agent: Object.freeze(['aauth-agent.json'] as const),
    person: Object.freeze(['aauth-person.json'] as const),
    resource: Object.freeze(['aauth-resource.json'] as const),
    /** An AS signs with `aauth-access.json`, a PS asserting identity with `aauth-person.json`. */
    auth: Object.freeze(['aauth-access.json', 'aauth-person.json'] as const),
  }),
  /** JWT claim names (§JWT Claims Registrations plus the RFC 7519 / RFC 7800 ones the tokens use). */
  claims: Object.freeze({
    iss: 'iss', sub: 'sub', aud: 'aud', jti: 'jti', iat: 'iat', exp: 'exp', cnf: 'cnf', jwk: 'jwk',
    dwk: 'dwk', ps: 'ps', agentJkt: 'agent_jkt', parentAgent: 'parent_agent', presentedJti: 'presented_jti',
    missionS256: 'mission_s256', account: 'account', interaction: 'interaction', scope: 'scope', tenant: 'tenant',
  }),
  /** §Token lifetimes: the upper bounds the draft states, in seconds. */
  lifetimes: Object.freeze({
    /** §Agent Token Structure: SHOULD NOT exceed 24 hours. */
    agent: 86_400,
    /** §Person Token Structure: MUST NOT exceed 1 hour. */
    person: 3600,
    /** §Resource Token Structure: SHOULD NOT exceed 5 minutes. */
    resource: 300,
    /** §Auth Token Structure: MUST NOT exceed 1 hour. */
    auth: 3600,
  }),
  /** §AAuth-Requirement Header Structure and §Requirement Values. */
  requirement: Object.freeze({
    key: 'requirement',
    values: Object.freeze(['agent-token', 'person-token', 'auth-token', 'interaction', 'approval', 'clarification', 'claims'] as const),
    /** §Requirement Values: the status each value is sent with (`auth-token` may also ride a 402 or a 202). */
    status: Object.freeze({ 'agent-token': 401, 'person-token': 401, 'auth-token': 401, interaction: 202, approval: 202, clarification: 202, claims: 202 } as const),
    params: Object.freeze({
      resourceToken: 'resource-token',
      url: 'url',
      code: 'code',
    }),
  }),
  /** §Interaction Code Format: Crockford base32, at least 8 symbols (40 bits), hyphens presentational. */
  interactionCode: Object.freeze({
    alphabet: '0123456789ABCDEFGHJKMNPQRSTVWXYZ',
    minSymbols: 8,
  }),
  /** §AAuth-Capabilities Request Header. */
  capabilities: Object.freeze(['interaction', 'clarification', 'payment'] as const),
  /** §Resource Metadata `access_mode` (AAuth Access Mode Value Registry). */
  accessModes: Object.freeze(['agent-token', 'person-token', 'session-token', 'auth-token'] as const),
  /** §Metadata Documents: members every document shares, and each role's own. */
  metadata: Object.freeze({
    common: Object.freeze({
      issuer: 'issuer', jwksUri: 'jwks_uri', acceptSignatureAlgs: 'accept_signature_algs', name: 'name', description: 'description',
      logoUri: 'logo_uri', logoDarkUri: 'logo_dark_uri', documentationUri: 'documentation_uri', tosUri: 'tos_uri', policyUri: 'policy_uri',
    }),
    /** §Agent Provider Metadata. */
    agent: Object.freeze({ callbackEndpoint: 'callback_endpoint', eventEndpoint: 'event_endpoint', loginEndpoint: 'login_endpoint', localhostCallbackAllowed: 'localhost_callback_allowed' }),
    /** §Person Server Metadata. */
    person: Object.freeze({
      authTokenEndpoint: 'auth_token_endpoint', personTokenEndpoint: 'person_token_endpoint', missionEndpoint: 'mission_endpoint',
      permissionEndpoint: 'permission_endpoint', auditEndpoint: 'audit_endpoint', interactionEndpoint: 'interaction_endpoint',
      missionControlEndpoint: 'mission_control_endpoint', revocationEndpoint: 'revocation_endpoint', scopesSupported: 'scopes_supported', claimsSupported: 'claims_supported',
    }),
    /** §Access Server Metadata. */
    access: Object.freeze({ authTokenEndpoint: 'auth_token_endpoint', revocationEndpoint: 'revocation_endpoint' }),
    /** §Resource Metadata. */
    resource: Object.freeze({
      accessMode: 'access_mode', authorizationEndpoint: 'authorization_endpoint', loginEndpoint: 'login_endpoint', scopeDescriptions: 'scope_descriptions',
      signatureWindow: 'signature_window', additionalSignatureComponents: 'additional_signature_components', revocationEndpoint: 'revocation_endpoint',
    }),
    /** Members each document MUST carry (§Metadata Documents; `jwks_uri` is conditional for a resource). */
    required: Object.freeze({
      'aauth-agent.json': Object.freeze(['issuer', 'jwks_uri'] as const),
      'aauth-person.json': Object.freeze(['issuer', 'jwks_uri', 'auth_token_endpoint', 'person_token_endpoint'] as const),
      'aauth-access.json': Object.freeze(['issuer', 'jwks_uri', 'auth_token_endpoint'] as const),
      'aauth-resource.json': Object.freeze(['issuer'] as const),
    }),
  }),
  /** §Person Token Endpoint: request and `200` response members. */
  personTokenRequest: Object.freeze({ resource: 'resource', missionS256: 'mission_s256', subagentToken: 'subagent_token', upstreamToken: 'upstream_token' }),
  personTokenResponse: Object.freeze({ personToken: 'person_token', expiresIn: 'expires_in' }),
  /** §Agent Token Request (PS `auth_token_endpoint`). */
  tokenRequest: Object.freeze({
    resourceToken: 'resource_token', upstreamToken: 'upstream_token', subagentToken: 'subagent_token', justification: 'justification',
    loginHint: 'login_hint', tenant: 'tenant', domainHint: 'domain_hint', prompt: 'prompt', platform: 'platform', device: 'device', capabilities: 'capabilities',
  }),
  /** §PS Response / §AS Response: the direct grant. */
  tokenResponse: Object.freeze({ authToken: 'auth_token', expiresIn: 'expires_in' }),
  /** §PS-to-AS Token Request. */
  asTokenRequest: Object.freeze({ resourceToken: 'resource_token', agentToken: 'agent_token', subagentToken: 'subagent_token', upstreamToken: 'upstream_token' }),
  /** §Authorization Endpoint Request / Responses. */
  authorizationRequest: Object.freeze({ scope: 'scope', account: 'account' }),
  authorizationResponse: Object.freeze({ resourceToken: 'resource_token', status: 'status', authorized: 'authorized', scope: 'scope' }),
  /** §Mission Creation: the proposal. */
  missionRequest: Object.freeze({ description: 'description', tools: 'tools', resources: 'resources', toolName: 'name', toolDescription: 'description' }),
  /** §Mission (table): `action` on `{mission_endpoint}/{s256}`; §Mission Update / §Mission Completion members. */
  missionAction: Object.freeze({ key: 'action', update: 'update', completion: 'completion', description: 'description', summary: 'summary' }),
  /** §Mission Approval: the `200` response. */
  missionResponse: Object.freeze({ s256: 's256', mission: 'mission', capabilities: 'capabilities', personTokens: 'person_tokens' }),
  /** §Mission Approval: members of the decoded mission blob. */
  missionBlob: Object.freeze({
    approver: 'approver', agent: 'agent', approvedAt: 'approved_at', expiresAt: 'expires_at', description: 'description',
    approvedTools: 'approved_tools', approvedResources: 'approved_resources',
  }),
  /** §Mission Management: the two states and the open list of termination reasons. */
  missionStates: Object.freeze(['active', 'terminated'] as const),
  terminationReasons: Object.freeze(['completed', 'revoked', 'expired', 'superseded', 'administrative'] as const),
  /** §Pending Response / §Agent Response to Clarification / §Clarification Required / §Claims Required. */
  deferred: Object.freeze({
    status: 'status',
    pending: 'pending',
    interacting: 'interacting',
    action: 'action',
    clarificationResponse: 'clarification_response',
    updatedRequest: 'updated_request',
    clarification: 'clarification',
    timeout: 'timeout',
    options: 'options',
    requiredClaims: 'required_claims',
    resourceToken: 'resource_token',
    justification: 'justification',
  }),
  /** §User Interaction: query parameters of `{url}`; §Interaction Callback Errors: `error`. */
  interaction: Object.freeze({ code: 'code', callback: 'callback', error: 'error' }),
  /** §Interaction Callback Errors, each mapped to the polling error a PS answers the agent with. */
  interactionCallbackErrors: Object.freeze({
    access_denied: 'denied',
    user_abandoned: 'abandoned',
    interaction_expired: 'expired',
    server_error: 'server_error',
    temporarily_unavailable: 'server_error',
  } as const),
  /** §Interaction Request (PS `interaction_endpoint`). */
  interactionRequest: Object.freeze({ type: 'type', description: 'description', url: 'url', code: 'code', maxWait: 'max_wait', question: 'question', missionS256: 'mission_s256' }),
  interactionTypes: Object.freeze(['interaction', 'payment', 'question'] as const),
  /** §Error Response Format and §Mission Status Errors: problem+json members. */
  problem: Object.freeze({
    error: 'error',
    detail: 'detail',
    type: 'type',
    title: 'title',
    status: 'status',
    instance: 'instance',
    missionStatus: 'mission_status',
    terminationReason: 'termination_reason',
  }),
  /**
   * §Verification (Server) and the Signature-Key draft's §Error Codes: the `error` member of
   * `Signature-Error`. §Verification pins every signature failure to `401`.
   */
  signatureErrors: Object.freeze({
    invalid_request: 401,
    invalid_input: 401,
    invalid_signature: 401,
    unsupported_scheme: 401,
    unsupported_algorithm: 401,
    invalid_key: 401,
    unknown_key: 401,
    invalid_jwt: 401,
    expired_jwt: 401,
    issuer_missing: 401,
    issuer_mismatch: 401,
  } as const),
  /** Members of `Signature-Error` besides `error` (Signature-Key draft §invalid_input). */
  signatureErrorMembers: Object.freeze({ error: 'error', requiredInput: 'required_input' }),
  /** Problem `type` URN of a signature error (Signature-Key draft §Response Body). */
  signatureErrorTypePrefix: 'urn:ietf:params:sig-error:',
  /**
   * Endpoint error codes and their statuses: §Token Endpoint Error Codes, §Polling Error Codes,
   * §Authorization Endpoint Error Responses, §Mission Endpoint Errors, §Mission Status Errors,
   * §Interaction Endpoint Errors; `invalid_auth_token` names a refused `aa-auth+jwt` where the
   * draft states no code of its own (a resource answers it as `Signature-Error: invalid_jwt`).
   */
  errors: Object.freeze({
    invalid_request: 400,
    invalid_agent_token: 400,
    expired_agent_token: 400,
    invalid_resource_token: 400,
    expired_resource_token: 400,
    unknown_person_token: 400,
    user_unreachable: 403,
    invalid_person_token: 400,
    invalid_scope: 400,
    invalid_account: 400,
    invalid_auth_token: 401,
    invalid_signature: 401,
    denied: 403,
    abandoned: 403,
    expired: 408,
    invalid_code: 410,
    slow_down: 429,
    mission_not_found: 404,
    mission_terminated: 403,
    interaction_unavailable: 424,
    server_error: 500,
  } as const),
});

export type CurrentProfile = typeof AAUTH_CURRENT;
export type CurrentErrorCode = keyof CurrentProfile['errors'];
export type SignatureErrorCode = keyof CurrentProfile['signatureErrors'];
export type RequirementValue = CurrentProfile['requirement']['values'][number];
export type CurrentTokenKind = keyof CurrentProfile['typ'];
export type CurrentMetadataDocument = CurrentProfile['wellKnown'][keyof CurrentProfile['wellKnown']];
export type CurrentAlgorithm = CurrentProfile['algorithms'][number];
export type Capability = CurrentProfile['capabilities'][number];
export type AccessMode = CurrentProfile['accessModes'][number];
export type TerminationReason = CurrentProfile['terminationReasons'][number];
