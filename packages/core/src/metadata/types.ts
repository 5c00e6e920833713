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
