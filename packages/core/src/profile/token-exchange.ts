/**
 * RFC 8693 (OAuth 2.0 Token Exchange) wire names: the grant type, token type URIs (§3) and the
 * `act` / `may_act` claims (§4.1, §4.4). Kept apart from the AAuth profiles, which do not use them.
 */
export const TOKEN_EXCHANGE = Object.freeze({
  grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
  /** Where both auth servers serve the exchange, under the issuer (auth-server contract, "RFC 8693 token exchange"). */
  endpointPath: '/protocol/aauth/token-exchange',
  tokenTypes: Object.freeze({
    jwt: 'urn:ietf:params:oauth:token-type:jwt',
    accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  }),
  params: Object.freeze({
    grantType: 'grant_type',
    subjectToken: 'subject_token',
    subjectTokenType: 'subject_token_type',
    actorToken: 'actor_token',
    actorTokenType: 'actor_token_type',
    audience: 'audience',
    resource: 'resource',
    scope: 'scope',
    requestedTokenType: 'requested_token_type',
  }),
  response: Object.freeze({
    accessToken: 'access_token',
    issuedTokenType: 'issued_token_type',
    tokenType: 'token_type',
    expiresIn: 'expires_in',
    scope: 'scope',
  }),
  /** RFC 9068 §2.1 `typ` of the JWT access token an exchange issues. */
  accessTokenTyp: 'at+jwt',
  /** RFC 8693 §2.2.1: the issued token is bound to the actor's key (`cnf.jwk`), not a bearer token. */
  tokenTypeValue: 'N_A',
  /**
   * JOSE `typ` values of an OpenID provider's JWT access token accepted as a `subject_token` (absent
   * too): `JWT` (RFC 7519 §5.1, Keycloak's), `at+jwt` (RFC 9068 §2.1). Claims naming who it was
   * issued to, in order: `azp` (OpenID Connect Core §2), `client_id` (RFC 9068 §2.2), a single `aud`.
   */
  oidcAccessTokenTyps: Object.freeze(['JWT', 'at+jwt'] as const),
  claims: Object.freeze({ act: 'act', mayAct: 'may_act', azp: 'azp', clientId: 'client_id' }),
  errors: Object.freeze({ invalidRequest: 'invalid_request', invalidGrant: 'invalid_grant', invalidTarget: 'invalid_target', invalidScope: 'invalid_scope', unauthorizedClient: 'unauthorized_client' }),
});
