/** Metadata documents of the 2026-03 profile (§Metadata; wire notes §5.1), at `{id}/.well-known/{name}`. */

/** `aauth-agent.json`, published by an agent server. */
export interface AgentMetadata {
  agent: string;
  jwks_uri: string;
  client_name?: string;
  logo_uri?: string;
  logo_dark_uri?: string;
  callback_endpoint?: string;
  localhost_callback_allowed?: boolean;
  clarification_supported?: boolean;
  tos_uri?: string;
  policy_uri?: string;
}

/** `aauth-resource.json`, published by a resource. */
export interface ResourceMetadata {
  resource: string;
  jwks_uri: string;
  client_name?: string;
  logo_uri?: string;
  logo_dark_uri?: string;
  resource_token_endpoint?: string;
  interaction_endpoint?: string;
  scope_descriptions?: Record<string, string>;
  additional_signature_components?: string[];
}

/** `aauth-issuer.json`, published by an auth server. */
export interface IssuerMetadata {
  issuer: string;
  token_endpoint: string;
  interaction_endpoint: string;
  jwks_uri: string;
  /** Components the token endpoint requires beyond the profile's four (same rule as a resource's). */
  additional_signature_components?: string[];
}

export type MetadataDocument = 'aauth-agent.json' | 'aauth-resource.json' | 'aauth-issuer.json';

/**
 * Metadata documents of the current profile (draft-hardt-oauth-aauth-protocol §Metadata Documents):
 * every one names its signer in `issuer`, equal to the identifier it was fetched for.
 */
export interface CurrentCommonMetadata {
  issuer: string;
  jwks_uri?: string;
  accept_signature_algs?: string[];
  name?: string;
  description?: string;
  logo_uri?: string;
  logo_dark_uri?: string;
  documentation_uri?: string;
  tos_uri?: string;
  policy_uri?: string;
}

/** §Agent Provider Metadata, `aauth-agent.json`. */
export interface CurrentAgentMetadata extends CurrentCommonMetadata {
  jwks_uri: string;
  callback_endpoint?: string;
  event_endpoint?: string;
  login_endpoint?: string;
  localhost_callback_allowed?: boolean;
}

/** §Person Server Metadata, `aauth-person.json`. */
export interface PersonServerMetadata extends CurrentCommonMetadata {
  jwks_uri: string;
  auth_token_endpoint: string;
  person_token_endpoint: string;
  mission_endpoint?: string;
  permission_endpoint?: string;
  audit_endpoint?: string;
  interaction_endpoint?: string;
  mission_control_endpoint?: string;
  revocation_endpoint?: string;
  scopes_supported?: string[];
  claims_supported?: string[];
}

/** §Access Server Metadata, `aauth-access.json`. */
export interface AccessServerMetadata extends CurrentCommonMetadata {
  jwks_uri: string;
  auth_token_endpoint: string;
  revocation_endpoint?: string;
}

/** §Resource Metadata, `aauth-resource.json` (`jwks_uri` only when it issues tokens or signs calls). */
export interface CurrentResourceMetadata extends CurrentCommonMetadata {
  access_mode?: string;
  authorization_endpoint?: string;
  login_endpoint?: string;
  scope_descriptions?: Record<string, string>;
  signature_window?: number;
  additional_signature_components?: string[];
  revocation_endpoint?: string;
}

export type CurrentMetadata = CurrentAgentMetadata | PersonServerMetadata | AccessServerMetadata | CurrentResourceMetadata;
