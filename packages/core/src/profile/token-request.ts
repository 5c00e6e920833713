/**
 * A 2026-03 token request's members by their wire names (`PROFILE.tokenRequest`; §Token Endpoint):
 * what the agent sends and the auth server reads, one shape for both.
 */
export interface TokenRequestMembers {
  readonly resource_token?: string;
  readonly upstream_token?: string;
  readonly auth_token?: string;
  readonly scope?: string;
  readonly purpose?: string;
  readonly login_hint?: string;
  /** OpenID Connect Enterprise Extensions 1.0: passed through to the consent step. */
  readonly tenant?: string;
  readonly domain_hint?: string;
}
