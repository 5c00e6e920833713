/** Everything a request handler needs, built once by `createAuthServer`. */
import type { AgentTokenClaims, AuthTokenClaims, ChainPolicy, IssuerKeySource, KeyDiscovery } from '@aauth-ts/core';
import type { LoginThrottle } from './interaction/login-throttle.js';
import type { RealmKeys } from './keys/realm-keys.js';
import type { PersonServerState } from './person-server/state.js';
import type { RealmModel } from './realm/types.js';
import type { JtiLedger } from './stores/jti-store.js';
import type { PendingRequests } from './stores/pending-store.js';
import type { VerifiedTokens } from './token/verified-tokens.js';

export interface AuthServerContext {
  readonly realm: RealmModel;
  /** `{origin}/realms/{realm}`; known once the server's origin is (after `listen`). */
  issuer(): string;
  readonly keys: RealmKeys;
  /** Agent and resource metadata/JWKS discovery (guarded fetcher, cached). */
  readonly discovery: KeyDiscovery;
  /** Keys of auth-token issuers: our own realm keys, else a trusted issuer's published JWKS. */
  readonly issuerKeys: IssuerKeySource;
  /** Verdicts of agent tokens (the Signature-Key `jwt` of every request of an agent). */
  readonly agentTokens: VerifiedTokens<AgentTokenClaims>;
  /** Verdicts of upstream tokens (an intermediary presents one for each call it chains). */
  readonly upstreamTokens: VerifiedTokens<AuthTokenClaims>;
  readonly jtis: JtiLedger;
  readonly pending: PendingRequests;
  /** Failed logins on the interaction page, per code and per user. */
  readonly logins: LoginThrottle;
  /** Seconds since the epoch. */
  now(): number;
  /** The realm's default chain policy, then the one passed to `createAuthServer` (policy/chain-policy.ts). */
  readonly chainPolicy: ChainPolicy;
  /** The current draft's Person Server, when the realm sets `aauth.personServer` = "true". */
  readonly personServer: PersonServerState | undefined;
}

/** Where each endpoint lives under the issuer (Keycloak's URL layout). */
export const ENDPOINT_PATHS = Object.freeze({
  token: '/protocol/aauth/token',
  pending: '/protocol/aauth/pending',
  interact: '/protocol/aauth/interact',
  jwks: '/protocol/openid-connect/certs',
  /** RFC 8693 token exchange where the Keycloak provider serves it too (auth-server contract). */
  tokenExchange: '/protocol/aauth/token-exchange',
  /** The current draft's Person Server (docs/person-server-contract.md), when the realm turns it on. */
  psPerson: '/protocol/aauth/ps/person',
  psToken: '/protocol/aauth/ps/token',
  psMission: '/protocol/aauth/ps/mission',
  psPending: '/protocol/aauth/ps/pending',
  psInteraction: '/protocol/aauth/ps/interaction',
});

export function endpointUrls(issuer: string): { token_endpoint: string; interaction_endpoint: string; jwks_uri: string; pending: string } {
  return {
    token_endpoint: `${issuer}${ENDPOINT_PATHS.token}`,
    interaction_endpoint: `${issuer}${ENDPOINT_PATHS.interact}`,
    jwks_uri: `${issuer}${ENDPOINT_PATHS.jwks}`,
    pending: `${issuer}${ENDPOINT_PATHS.pending}`,
  };
}
