/**
 * The realm for the chosen ports. `keycloak-realm.json` names each agent and resource by its
 * identifier, and the identifiers carry ports (`http://backend.localhost:8000`), so a demo on other
 * ports needs the same realm with those identifiers replaced: every string equal to a default
 * identifier becomes the configured one (client ids, scope `aauth.resource` attributes, …).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AAUTH_CURRENT } from '@aauth-ts/core';
import { defaultIdentifiers, type DemoConfig } from '../../common/src/config.js';
import { AGENT_LOCAL_NAMES, agentIdentifierOf } from '../../common/src/parties.js';

export const REALM_FILE_NAME = 'keycloak-realm.json';

/** The repository's `keycloak-realm.json`, found from this module upwards (source or dist tree). */
export function defaultRealmPath(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const candidate = join(dir, REALM_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${REALM_FILE_NAME} not found above ${from}; pass --realm <file>`);
    dir = parent;
  }
}

/** Map each default identifier to the configured one (only those that differ). */
export function identifierRewrites(config: DemoConfig): Map<string, string> {
  const defaults = defaultIdentifiers();
  const configured: Record<keyof typeof defaults, string> = {
    issuer: config.issuer,
    backend: config.backend.identifier,
    backendAutonomous: config.backendAutonomous.identifier,
    supplyChain: config.supplyChain.identifier,
    marketAnalysis: config.marketAnalysis.identifier,
    mcpClient: config.mcpClient.identifier,
  };
  const rewrites = new Map<string, string>();
  for (const key of Object.keys(defaults) as (keyof typeof defaults)[]) {
    if (defaults[key] !== configured[key]) rewrites.set(defaults[key], configured[key]);
  }
  return rewrites;
}

/** A deep copy of `value` with every string equal to a key of `rewrites` replaced. */
export function rewriteStrings(value: unknown, rewrites: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return rewrites.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => rewriteStrings(v, rewrites));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteStrings(v, rewrites)]));
  }
  return value;
}

export function loadRealmJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The realm representation for `config`, ready for `createAuthServer({ realm })`. */
export function realmForConfig(config: DemoConfig, realmJson: unknown): Record<string, unknown> {
  const rewritten = rewriteStrings(realmJson, identifierRewrites(config));
  if (typeof rewritten !== 'object' || rewritten === null || Array.isArray(rewritten)) throw new Error('the realm file is not a JSON object');
  const realm = rewritten as Record<string, unknown>;
  return config.profile === AAUTH_CURRENT.name ? asPersonServerRealm(realm, config) : realm;
}

/** Realm attributes that make the realm a Person Server (docs/person-server-contract.md, "Realm model"). */
export const PERSON_SERVER_ATTRIBUTES = Object.freeze({
  'aauth.personServer': 'true',
  // Directed subjects stay the same across restarts of the embedded server. A development value.
  'aauth.pairwiseSalt': 'aauth-demo-pairwise-salt-not-secret',
  // Reading the market outlook needs the person's consent, so the run shows interaction chaining:
  // the Person Server asks through the supply-chain agent, which asks its own caller.
  'aauth.consentScopes': '["market-analysis:analyze"]',
});

/**
 * The same realm as the Person Server of the current profile: the Person Server turned on, and
 * the demo user bound ahead of time to the backend's agents (user attribute `aauth.agentBinding`,
 * `{agent provider} {agent identifier}`; §Agent-Person Binding), so the person the backend acts
 * for is the one signed in to the demo, whoever approves first.
 */
export function asPersonServerRealm(realm: Record<string, unknown>, config: DemoConfig): Record<string, unknown> {
  const bindings = [
    `${config.backend.identifier} ${agentIdentifierOf(config.backend.identifier, AGENT_LOCAL_NAMES.backend, config.development)}`,
    `${config.backendAutonomous.identifier} ${agentIdentifierOf(config.backendAutonomous.identifier, AGENT_LOCAL_NAMES.backendAutonomous, config.development)}`,
  ];
  const users = Array.isArray(realm.users) ? realm.users : [];
  return {
    ...realm,
    attributes: { ...(realm.attributes as Record<string, unknown> | undefined), ...PERSON_SERVER_ATTRIBUTES },
    users: users.map((user: unknown) => {
      if (typeof user !== 'object' || user === null || (user as { username?: unknown }).username !== config.user.username) return user;
      const u = user as { attributes?: Record<string, unknown> };
      return { ...u, attributes: { ...u.attributes, 'aauth.agentBinding': bindings } };
    }),
  };
}

/** The `id` of a realm user (the `sub` the auth server puts in tokens). */
export function userIdOf(realmJson: unknown, username: string): string | undefined {
  const users = (realmJson as { users?: unknown }).users;
  if (!Array.isArray(users)) return undefined;
  const user = users.find((u): u is { id: string; username: string } => typeof u === 'object' && u !== null && (u as { username?: unknown }).username === username && typeof (u as { id?: unknown }).id === 'string');
  return user?.id;
}
