/**
 * Settings an agent client may set for itself, each falling back to the realm's: the auth-token
 * lifetime (Keycloak's client attribute `access.token.lifespan`) and the refresh window
 * (`aauth.refreshWindow`, the realm attribute's name on the client).
 */
import type { RealmModel } from './types.js';

/** Lifetime in seconds of the auth tokens issued to `agentId`. */
export function tokenLifespanFor(realm: RealmModel, agentId: string): number {
  return realm.clients.get(agentId)?.accessTokenLifespan ?? realm.accessTokenLifespan;
}

/** How long after `exp` an auth token issued to `agentId` may still be refreshed, in seconds. */
export function refreshWindowFor(realm: RealmModel, agentId: string): number {
  return realm.clients.get(agentId)?.refreshWindow ?? realm.settings.refreshWindow;
}

/** The longest any auth token of the realm stays verifiable for a refresh: lifetime plus window. */
export function longestRefreshHorizon(realm: RealmModel): number {
  let longest = realm.accessTokenLifespan + realm.settings.refreshWindow;
  for (const client of realm.clients.values()) {
    if (client.isAgent) longest = Math.max(longest, tokenLifespanFor(realm, client.clientId) + refreshWindowFor(realm, client.clientId));
  }
  return longest;
}
