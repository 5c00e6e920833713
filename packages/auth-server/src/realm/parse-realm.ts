/**
 * Parse a Keycloak realm representation into the typed, validated `RealmModel` the auth server
 * runs on. Every field is checked once, here, so that request handling never meets a malformed
 * realm (DESIGN.md: fail at startup, not per request). Fields Keycloak knows but AAuth does not
 * use are ignored, so a file exported from a real Keycloak loads unchanged.
 */
import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { COMPONENT_POLICIES, DEFAULT_MAX_CHAIN_DEPTH, isComponentPolicy, parseTrustAnchors, type ComponentPolicy } from '@aauth-ts/core';
import { CLIENT_ATTRIBUTES, DEFAULTS, MAX_POLL_WAIT_CEILING, REALM_ATTRIBUTES, SCOPE_ATTRIBUTES, USER_ATTRIBUTES } from './attributes.js';
import { RealmConfigError } from './errors.js';
import { parsePasswordCredential, type PasswordVerifier } from './password.js';
import type { ClientRepresentation, ClientScopeRepresentation, IdentityProviderRepresentation, RealmClient, RealmIdentityProvider, RealmModel, RealmRepresentation, RealmScope, RealmSettings, RealmUser, UserRepresentation } from './types.js';

type Attrs = unknown;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new RealmConfigError(path, 'must be a string');
  return value;
}

function attribute(attrs: Attrs, name: string, path: string): string | undefined {
  if (attrs === undefined) return undefined;
  if (!isObject(attrs)) throw new RealmConfigError(path, 'attributes must be an object of strings');
  const value = (attrs as Record<string, unknown>)[name];
  // Keycloak's import also accepts single-element arrays for attributes; take the first value.
  if (Array.isArray(value)) return optionalString(value[0], `${path}.${name}[0]`);
  return optionalString(value, `${path}.${name}`);
}

/** Every value of a multi-valued attribute (Keycloak keeps user attributes as string arrays). */
function attributeValues(attrs: Attrs, name: string, path: string): string[] {
  if (attrs === undefined) return [];
  if (!isObject(attrs)) throw new RealmConfigError(path, 'attributes must be an object of strings');
  const value = (attrs as Record<string, unknown>)[name];
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.map((v, i) => optionalString(v, `${path}.${name}[${i}]`) ?? '');
}

function flag(attrs: Attrs, name: string, path: string): boolean {
  const value = attribute(attrs, name, path);
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw new RealmConfigError(`${path}.${name}`, 'must be "true" or "false"');
  return value === 'true';
}

function seconds(attrs: Attrs, name: string, path: string, fallback: number): number {
  return optionalSeconds(attrs, name, path, 1) ?? fallback;
}

/** Integer seconds, at least `min`, or undefined when absent or empty (Keycloak writes "" for "inherit"). */
function optionalSeconds(attrs: Attrs, name: string, path: string, min: 0 | 1): number | undefined {
  const value = attribute(attrs, name, path);
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new RealmConfigError(`${path}.${name}`, `must be ${min === 0 ? 'a non-negative' : 'a positive'} integer (seconds) in a string`);
  return n;
}

/** `"true"`/`"false"`, or `fallback` when absent. */
function flagOr(attrs: Attrs, name: string, path: string, fallback: boolean): boolean {
  return attribute(attrs, name, path) === undefined ? fallback : flag(attrs, name, path);
}

function stringList(attrs: Attrs, name: string, path: string): string[] {
  const value = attribute(attrs, name, path);
  if (value === undefined || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new RealmConfigError(`${path}.${name}`, 'must be a JSON array of strings, e.g. ["a","b"]');
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string')) {
    throw new RealmConfigError(`${path}.${name}`, 'must be a JSON array of strings');
  }
  return parsed as string[];
}

function scopeList(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new RealmConfigError(path, 'must be an array of scope names');
  return value as string[];
}

function componentPolicy(attrs: Attrs, path: string): ComponentPolicy {
  const name = REALM_ATTRIBUTES.signatureComponents;
  const value = attribute(attrs, name, path) ?? 'strict';
  if (!isComponentPolicy(value)) throw new RealmConfigError(`${path}.${name}`, `must be one of ${COMPONENT_POLICIES.map((p) => `"${p}"`).join(', ')}`);
  return value;
}

function parseSettings(attrs: Attrs): RealmSettings {
  const path = 'attributes';
  return {
    allowLoopback: flag(attrs, REALM_ATTRIBUTES.allowLoopback, path),
    signatureWindow: seconds(attrs, REALM_ATTRIBUTES.signatureWindow, path, DEFAULTS.signatureWindow),
    refreshWindow: optionalSeconds(attrs, REALM_ATTRIBUTES.refreshWindow, path, 0) ?? DEFAULTS.refreshWindow,
    earlyRefresh: flagOr(attrs, REALM_ATTRIBUTES.earlyRefresh, path, DEFAULTS.earlyRefresh),
    pendingLifespan: seconds(attrs, REALM_ATTRIBUTES.pendingLifespan, path, DEFAULTS.pendingLifespan),
    maxPollWait: Math.min(seconds(attrs, REALM_ATTRIBUTES.maxPollWait, path, DEFAULTS.maxPollWait), MAX_POLL_WAIT_CEILING),
    maxHeldPolls: seconds(attrs, REALM_ATTRIBUTES.maxHeldPolls, path, DEFAULTS.maxHeldPolls),
    maxAuthAge: seconds(attrs, REALM_ATTRIBUTES.maxAuthAge, path, DEFAULTS.maxAuthAge),
    consentScopes: stringList(attrs, REALM_ATTRIBUTES.consentScopes, path),
    trustedIssuers: stringList(attrs, REALM_ATTRIBUTES.trustedIssuers, path),
    maxChainDepth: chainDepth(attrs, path),
    chainActors: attribute(attrs, REALM_ATTRIBUTES.chainActors, path) === undefined ? undefined : stringList(attrs, REALM_ATTRIBUTES.chainActors, path),
    signatureComponents: componentPolicy(attrs, path),
    x509TrustAnchors: trustAnchors(attrs, REALM_ATTRIBUTES.x509TrustAnchors, path),
    personServer: flag(attrs, REALM_ATTRIBUTES.personServer, path),
    pairwiseSalt: attribute(attrs, REALM_ATTRIBUTES.pairwiseSalt, path) || undefined,
  };
}

/** `aauth.maxChainDepth`: 1 to 15 actors (15 is the longest chain an exchange can build). */
function chainDepth(attrs: Attrs, path: string): number {
  const value = attribute(attrs, REALM_ATTRIBUTES.maxChainDepth, path);
  if (value === undefined || value.trim() === '') return DEFAULT_MAX_CHAIN_DEPTH;
  const depth = Number(value);
  if (!Number.isInteger(depth) || depth < 1 || depth > DEFAULT_MAX_CHAIN_DEPTH) throw new RealmConfigError(`${path}.${REALM_ATTRIBUTES.maxChainDepth}`, `must be an integer from 1 to ${DEFAULT_MAX_CHAIN_DEPTH} in a string`);
  return depth;
}

/** PEM text with one or more CERTIFICATE blocks; text that holds none is an error, not "no anchors". */
function trustAnchors(attrs: Attrs, name: string, path: string): X509Certificate[] {
  const value = attribute(attrs, name, path);
  if (value === undefined || value.trim() === '') return [];
  try {
    return parseTrustAnchors(value);
  } catch {
    throw new RealmConfigError(`${path}.${name}`, 'must be PEM text holding one or more CERTIFICATE blocks');
  }
}

function parseUser(rep: UserRepresentation, index: number, providers: ReadonlyMap<string, RealmIdentityProvider>): RealmUser {
  const path = `users[${index}]`;
  if (!isObject(rep)) throw new RealmConfigError(path, 'must be an object');
  const username = optionalString(rep.username, `${path}.username`);
  if (!username) throw new RealmConfigError(`${path}.username`, 'is required');
  // Keycloak generates an id when the file has none; tokens need a stable `sub`, so require one.
  const id = optionalString(rep.id, `${path}.id`);
  if (!id) throw new RealmConfigError(`${path}.id`, 'is required (it becomes the auth token "sub")');
  const credentials = rep.credentials ?? [];
  if (!Array.isArray(credentials)) throw new RealmConfigError(`${path}.credentials`, 'must be an array');
  const at = credentials.findIndex((c) => isObject(c) && c.type === 'password');
  const password: PasswordVerifier | undefined = at < 0 ? undefined : parsePasswordCredential(credentials[at] as Record<string, unknown>, `${path}.credentials[${at}]`);
  return {
    id,
    username: username.toLowerCase(), // Keycloak stores usernames in lower case
    enabled: rep.enabled !== false,
    email: optionalString(rep.email, `${path}.email`),
    firstName: optionalString(rep.firstName, `${path}.firstName`),
    lastName: optionalString(rep.lastName, `${path}.lastName`),
    password,
    mayAct: attribute(rep.attributes, USER_ATTRIBUTES.mayAct, `${path}.attributes`) === undefined ? undefined : stringList(rep.attributes, USER_ATTRIBUTES.mayAct, `${path}.attributes`),
    // Both ways of linking name the same thing; the same link given both ways counts once.
    federatedSubjects: [...new Set([...attributeValues(rep.attributes, USER_ATTRIBUTES.federatedSubject, `${path}.attributes`).map((link, i) => {
      // `{issuer} {sub}`: an issuer URL has no spaces; the subject is everything after the first one.
      const cut = link.indexOf(' ');
      if (cut <= 0 || cut === link.length - 1) throw new RealmConfigError(`${path}.attributes.${USER_ATTRIBUTES.federatedSubject}[${i}]`, 'must be "{issuer} {sub}"');
      return link;
    }), ...federatedIdentityLinks(rep.federatedIdentities, `${path}.federatedIdentities`, providers)])],
    agentBindings: attributeValues(rep.attributes, USER_ATTRIBUTES.agentBinding, `${path}.attributes`).map((binding, i) => {
      // `{agent provider} {agent identifier}`: neither has spaces.
      if (!/^\S+ \S+$/.test(binding)) throw new RealmConfigError(`${path}.attributes.${USER_ATTRIBUTES.agentBinding}[${i}]`, 'must be "{agent provider} {agent identifier}"');
      return binding;
    }),
  };
}

/** Keycloak's OpenID Connect provider types; other providers (SAML, social) are left to Keycloak. */
const OIDC_PROVIDER_IDS: readonly string[] = ['oidc', 'keycloak-oidc'];

/** `identityProviders`, by alias; only OpenID Connect ones, each with `config.issuer` and `config.jwksUrl`. */
function parseIdentityProviders(value: unknown): Map<string, RealmIdentityProvider> {
  const byAlias = new Map<string, RealmIdentityProvider>();
  list<IdentityProviderRepresentation>(value, 'identityProviders').forEach((rep, i) => {
    const path = `identityProviders[${i}]`;
    if (!isObject(rep)) throw new RealmConfigError(path, 'must be an object');
    const alias = optionalString(rep.alias, `${path}.alias`);
    if (!alias) throw new RealmConfigError(`${path}.alias`, 'is required');
    if (byAlias.has(alias)) throw new RealmConfigError(`${path}.alias`, `duplicate alias ${alias}`);
    if (!OIDC_PROVIDER_IDS.includes(optionalString(rep.providerId, `${path}.providerId`) ?? '')) return;
    const config = isObject(rep.config) ? rep.config : {};
    const url = (name: string): string => {
      const v = optionalString(config[name], `${path}.config.${name}`);
      if (!v || !URL.canParse(v)) throw new RealmConfigError(`${path}.config.${name}`, 'is required and must be a URL');
      return v;
    };
    byAlias.set(alias, { alias, issuer: url('issuer'), jwksUrl: url('jwksUrl'), enabled: rep.enabled !== false });
  });
  return byAlias;
}

/** A user's `federatedIdentities` as `{issuer} {sub}` links; each must name a declared OpenID provider. */
function federatedIdentityLinks(value: unknown, path: string, providers: ReadonlyMap<string, RealmIdentityProvider>): string[] {
  return list<Record<string, unknown>>(value, path).map((rep, i) => {
    if (!isObject(rep)) throw new RealmConfigError(`${path}[${i}]`, 'must be an object');
    const alias = optionalString(rep.identityProvider, `${path}[${i}].identityProvider`);
    const provider = alias === undefined ? undefined : providers.get(alias);
    if (!provider) throw new RealmConfigError(`${path}[${i}].identityProvider`, `${JSON.stringify(alias)} is not an OpenID Connect provider of identityProviders`);
    const userId = optionalString(rep.userId, `${path}[${i}].userId`);
    if (!userId) throw new RealmConfigError(`${path}[${i}].userId`, 'is required (the user\'s "sub" at the provider)');
    return `${provider.issuer} ${userId}`;
  });
}

function parseClient(rep: ClientRepresentation, index: number): RealmClient | undefined {
  const path = `clients[${index}]`;
  if (!isObject(rep)) throw new RealmConfigError(path, 'must be an object');
  const attrs = rep.attributes;
  const isAgent = flag(attrs, CLIENT_ATTRIBUTES.agent, `${path}.attributes`);
  const isResource = flag(attrs, CLIENT_ATTRIBUTES.resource, `${path}.attributes`);
  if (!isAgent && !isResource) return undefined; // an ordinary OIDC client: not ours
  const clientId = optionalString(rep.clientId, `${path}.clientId`);
  if (!clientId) throw new RealmConfigError(`${path}.clientId`, 'is required');
  if (!URL.canParse(clientId) || new URL(clientId).origin !== clientId) {
    throw new RealmConfigError(`${path}.clientId`, `AAuth clients are identified by their origin URL (scheme://host[:port]); got ${JSON.stringify(clientId)}`);
  }
  return {
    clientId,
    name: optionalString(rep.name, `${path}.name`) ?? clientId,
    description: optionalString(rep.description, `${path}.description`),
    enabled: rep.enabled !== false,
    isAgent,
    isResource,
    consentRequired: rep.consentRequired === true,
    optionalClientScopes: scopeList(rep.optionalClientScopes, `${path}.optionalClientScopes`),
    chainScopes: attribute(attrs, CLIENT_ATTRIBUTES.chainScopes, `${path}.attributes`) === undefined ? undefined : stringList(attrs, CLIENT_ATTRIBUTES.chainScopes, `${path}.attributes`),
    accessTokenLifespan: optionalSeconds(attrs, CLIENT_ATTRIBUTES.accessTokenLifespan, `${path}.attributes`, 1),
    refreshWindow: optionalSeconds(attrs, CLIENT_ATTRIBUTES.refreshWindow, `${path}.attributes`, 0),
  };
}

function parseScope(rep: ClientScopeRepresentation, index: number): RealmScope {
  const path = `clientScopes[${index}]`;
  if (!isObject(rep)) throw new RealmConfigError(path, 'must be an object');
  const name = optionalString(rep.name, `${path}.name`);
  if (!name) throw new RealmConfigError(`${path}.name`, 'is required');
  const description = optionalString(rep.description, `${path}.description`);
  const consentText = attribute(rep.attributes, SCOPE_ATTRIBUTES.consentText, `${path}.attributes`);
  return {
    name,
    description,
    consentText: consentText || description || name,
    resource: attribute(rep.attributes, SCOPE_ATTRIBUTES.resource, `${path}.attributes`),
  };
}

function list<T>(value: unknown, path: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new RealmConfigError(path, 'must be an array');
  return value as T[];
}

/** Validate a realm representation (already parsed from JSON). Throws `RealmConfigError`. */
export function parseRealm(json: unknown): RealmModel {
  if (!isObject(json)) throw new RealmConfigError('$', 'a realm file is a JSON object');
  const rep = json as RealmRepresentation;
  const name = optionalString(rep.realm, 'realm');
  if (!name || !/^[A-Za-z0-9._-]+$/.test(name)) throw new RealmConfigError('realm', 'is required and must be URL-safe ([A-Za-z0-9._-])');
  const lifespan = rep.accessTokenLifespan ?? DEFAULTS.accessTokenLifespan;
  if (!Number.isInteger(lifespan) || lifespan <= 0) throw new RealmConfigError('accessTokenLifespan', 'must be a positive integer (seconds)');

  const users = new Map<string, RealmUser>();
  const usersById = new Map<string, RealmUser>();
  const federatedSubjects = new Map<string, RealmUser>();
  const providers = parseIdentityProviders(rep.identityProviders);
  const identityProviders = new Map<string, RealmIdentityProvider>();
  for (const p of providers.values()) {
    if (identityProviders.has(p.issuer)) throw new RealmConfigError(`identityProviders[alias=${p.alias}].config.issuer`, `${p.issuer} is the issuer of two providers`);
    identityProviders.set(p.issuer, p);
  }
  list<UserRepresentation>(rep.users, 'users').forEach((u, i) => {
    const user = parseUser(u, i, providers);
    if (users.has(user.username)) throw new RealmConfigError(`users[${i}].username`, `duplicate username ${user.username}`);
    if (usersById.has(user.id)) throw new RealmConfigError(`users[${i}].id`, `duplicate user id ${user.id}`);
    users.set(user.username, user);
    usersById.set(user.id, user);
    for (const link of user.federatedSubjects) {
      if (federatedSubjects.has(link)) throw new RealmConfigError(`users[${i}]`, `${JSON.stringify(link)} is linked to two users (aauth.federatedSubject, federatedIdentities)`);
      federatedSubjects.set(link, user);
    }
  });
  const scopes = new Map<string, RealmScope>();
  list<ClientScopeRepresentation>(rep.clientScopes, 'clientScopes').forEach((s, i) => {
    const scope = parseScope(s, i);
    scopes.set(scope.name, scope);
  });
  const clients = new Map<string, RealmClient>();
  list<ClientRepresentation>(rep.clients, 'clients').forEach((c, i) => {
    const client = parseClient(c, i);
    if (!client) return;
    if (clients.has(client.clientId)) throw new RealmConfigError(`clients[${i}].clientId`, `duplicate clientId ${client.clientId}`);
    client.optionalClientScopes.forEach((scope, j) => {
      if (!scopes.has(scope)) throw new RealmConfigError(`clients[${i}].optionalClientScopes[${j}]`, `no client scope named ${JSON.stringify(scope)}`);
    });
    client.chainScopes?.forEach((scope) => {
      if (!client.optionalClientScopes.includes(scope)) throw new RealmConfigError(`clients[${i}].attributes.${CLIENT_ATTRIBUTES.chainScopes}`, `${JSON.stringify(scope)} is not one of the client's optionalClientScopes`);
    });
    clients.set(client.clientId, client);
  });
  for (const scope of scopes.values()) {
    if (scope.resource !== undefined && !clients.get(scope.resource)?.isResource) {
      throw new RealmConfigError(`clientScopes[name=${scope.name}].attributes.${SCOPE_ATTRIBUTES.resource}`, `${JSON.stringify(scope.resource)} is not a client with ${CLIENT_ATTRIBUTES.resource}="true"`);
    }
  }
  return {
    name,
    displayName: optionalString(rep.displayName, 'displayName') || name,
    accessTokenLifespan: lifespan,
    settings: parseSettings(rep.attributes),
    users,
    usersById,
    federatedSubjects,
    identityProviders,
    clients,
    scopes,
  };
}

/** Read and parse a realm file. */
export function loadRealmFile(path: string): RealmModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RealmConfigError(path, `cannot read the realm file: ${(cause as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RealmConfigError(path, `not JSON: ${(cause as Error).message}`);
  }
  return parseRealm(json);
}
