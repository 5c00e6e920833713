/**
 * Authorization policy, as pure functions of the realm model (auth-server contract, "Policy from
 * the realm"). No I/O, no clock: the token endpoint calls these after every token has verified.
 *
 * Rules:
 *  - the agent, and for resource access the resource, must be enabled clients of the realm with
 *    `aauth.agent` / `aauth.resource` = "true" → else `access_denied`;
 *  - every requested scope must be in the agent's `optionalClientScopes`, and for resource access
 *    be offered by that resource (client-scope attribute `aauth.resource`) → else `invalid_scope`;
 *    for self-access a scope must not belong to another resource;
 *  - consent (202) is needed when any scope is listed in the realm attribute `aauth.consentScopes`;
 *    when no user is known yet, when the agent has `consentRequired`; when a user is carried from
 *    another agent's token (call chaining, token exchange), unless the agent's `aauth.chainScopes`
 *    lists every scope — a carried user approved *another* agent, not this one;
 *  - a token names a user (`sub`) or a scope: a request that would yield neither is `invalid_scope`.
 */
import type { RealmClient, RealmModel } from '../realm/types.js';

export type PolicyRefusal = { readonly outcome: 'refuse'; readonly code: 'access_denied' | 'invalid_scope'; readonly reason: string };
export type PolicyGrant = { readonly outcome: 'grant'; readonly scopes: readonly string[]; readonly consent: boolean };
export type PolicyDecision = PolicyRefusal | PolicyGrant;

export interface GrantQuestion {
  readonly agentId: string;
  /** The resource the token is for; undefined for self-access (`aud` = the agent). */
  readonly resourceId: string | undefined;
  readonly scopes: readonly string[];
  /** The local user of a verified upstream or subject token (carried from another agent), or of the token being refreshed. */
  readonly knownUser: string | undefined;
  /** Refresh re-checks the grant but never asks the user again. */
  readonly refresh?: boolean;
}

function refuse(code: PolicyRefusal['code'], reason: string): PolicyRefusal {
  return { outcome: 'refuse', code, reason };
}

/** Split a `scope` string (RFC 6749 §3.3: space-delimited, no duplicates kept). */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return [...new Set(scope.split(' ').filter((s) => s.length > 0))];
}

/** The enabled agent client `agentId`, or undefined. */
export function knownAgent(realm: RealmModel, agentId: string): RealmClient | undefined {
  const client = realm.clients.get(agentId);
  return client?.isAgent && client.enabled ? client : undefined;
}

/** The enabled resource client `resourceId`, or undefined. */
export function knownResource(realm: RealmModel, resourceId: string): RealmClient | undefined {
  const client = realm.clients.get(resourceId);
  return client?.isResource && client.enabled ? client : undefined;
}

/** Why `agent` may not obtain `scopes` at `resourceId` (undefined: self-access), or undefined when it may. */
function scopeRefusalFor(realm: RealmModel, agent: RealmClient, resourceId: string | undefined, scopes: readonly string[]): PolicyRefusal | undefined {
  for (const name of scopes) {
    if (!agent.optionalClientScopes.includes(name)) {
      return refuse('invalid_scope', `scope "${name}" is not granted to agent ${agent.clientId}`);
    }
    const scope = realm.scopes.get(name);
    if (resourceId !== undefined && scope?.resource !== resourceId) {
      return refuse('invalid_scope', `scope "${name}" is not offered by resource ${resourceId}`);
    }
    if (resourceId === undefined && scope?.resource !== undefined && scope.resource !== agent.clientId) {
      return refuse('invalid_scope', `scope "${name}" belongs to resource ${scope.resource}, not to self-access`);
    }
  }
  return undefined;
}

/**
 * The scope rules alone, for the Person Server's auth token endpoint, where the agent's realm
 * client is its agent provider and the person is already known: the agent and the resource enabled
 * clients (`access_denied`), each scope the agent's and offered by the resource (`invalid_scope`).
 */
export function checkScopes(realm: RealmModel, agentId: string, resourceId: string, scopes: readonly string[]): PolicyRefusal | undefined {
  const agent = knownAgent(realm, agentId);
  if (!agent) return refuse('access_denied', `agent ${agentId} is not an enabled agent of realm ${realm.name}`);
  if (!knownResource(realm, resourceId)) return refuse('access_denied', `resource ${resourceId} is not an enabled resource of realm ${realm.name}`);
  return scopeRefusalFor(realm, agent, resourceId, scopes);
}

export function decideGrant(realm: RealmModel, question: GrantQuestion): PolicyDecision {
  const agent = knownAgent(realm, question.agentId);
  if (!agent) return refuse('access_denied', `agent ${question.agentId} is not an enabled agent of realm ${realm.name}`);
  if (question.resourceId !== undefined && !knownResource(realm, question.resourceId)) {
    return refuse('access_denied', `resource ${question.resourceId} is not an enabled resource of realm ${realm.name}`);
  }
  const scopeRefusal = scopeRefusalFor(realm, agent, question.resourceId, question.scopes);
  if (scopeRefusal !== undefined) return scopeRefusal;
  const consentScope = question.scopes.some((s) => realm.settings.consentScopes.includes(s));
  const chainScopes = agent.chainScopes;
  const chainCovered = chainScopes !== undefined && question.scopes.every((s) => chainScopes.includes(s));
  const consent = question.refresh === true ? false
    : consentScope || (question.knownUser === undefined ? agent.consentRequired : !chainCovered);
  if (!consent && question.scopes.length === 0 && question.knownUser === undefined) {
    return refuse('invalid_scope', 'the request names no scope and no user: the token would authorize nothing');
  }
  return { outcome: 'grant', scopes: question.scopes, consent };
}
