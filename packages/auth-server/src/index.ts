/**
 * @aauth-ts/auth-server — an embedded AAuth auth server (2026-03 profile) with Keycloak's URL
 * layout, configured from a Keycloak realm file. See README.md for the realm mapping and
 * docs/auth-server-contract.md for the behaviour it implements.
 */
export { createAuthServer } from './server.js';
export type { AuthServer, AuthServerOptions } from './server.js';
export { parseRealm, loadRealmFile } from './realm/parse-realm.js';
export { RealmConfigError } from './realm/errors.js';
export { REALM_ATTRIBUTES, CLIENT_ATTRIBUTES, SCOPE_ATTRIBUTES } from './realm/attributes.js';
export type { RealmModel, RealmClient, RealmScope, RealmUser, RealmSettings, RealmRepresentation } from './realm/types.js';
export { decideGrant, parseScope, knownAgent, knownResource } from './policy/decide.js';
export type { GrantQuestion, PolicyDecision, PolicyGrant, PolicyRefusal } from './policy/decide.js';
export { RealmKeys } from './keys/realm-keys.js';
export type { RealmKeysOptions } from './keys/realm-keys.js';
export { JtiStore } from './stores/jti-store.js';
export type { JtiLedger, JtiStoreOptions, JtiVerdict } from './stores/jti-store.js';
export { SharedJtiStore } from './stores/shared-jti-store.js';
export { PendingStore } from './stores/pending-store.js';
export type { PendingInput, PendingRefusal, PendingRequest, PendingRequests, PendingStatus, PendingStoreOptions } from './stores/pending-store.js';
export { SharedPendingStore } from './stores/shared-pending-store.js';
export { parseTokenRequest } from './token/parse-token-request.js';
export type { TokenRequest, TokenRequestMode } from './token/parse-token-request.js';
export { ENDPOINT_PATHS, endpointUrls } from './context.js';
