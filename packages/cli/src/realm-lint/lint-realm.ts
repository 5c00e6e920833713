/**
 * A Keycloak realm file checked for AAuth (the attributes the embedded auth server and the Keycloak
 * provider both read; docs/auth-server-contract.md). First the realm must load as the embedded
 * server loads it; then what it configures: agents, resources and their scopes, who is asked for
 * consent, and settings that are unsafe outside development. With `development`, those are warnings.
 */
import { isLoopbackHost } from '@aauth-ts/core';
import { CLIENT_ATTRIBUTES, REALM_ATTRIBUTES, RealmConfigError, SCOPE_ATTRIBUTES, parseRealm, type RealmModel } from '@aauth-ts/auth-server';

export type FindingLevel = 'error' | 'warning';

export interface Finding {
  readonly level: FindingLevel;
  readonly code: string;
  /** JSON path in the realm file. */
  readonly path: string;
  readonly message: string;
}

export interface LintOptions {
  /** A development realm: settings unsafe in production are warnings, not errors. */
  readonly development?: boolean;
}

/** Signature windows past this many seconds let a captured request be replayed for long. */
const WIDE_SIGNATURE_WINDOW = 300;

type Json = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

export function lintRealm(json: unknown, options: LintOptions = {}): Finding[] {
  let model: RealmModel;
  try {
    model = parseRealm(json);
  } catch (cause) {
    if (cause instanceof RealmConfigError) {
      return [{ level: 'error', code: 'realm_invalid', path: cause.path, message: cause.message.slice(cause.path.length + 2) || cause.message }];
    }
    throw cause;
  }
  const realm = json as Json;
  const findings: Finding[] = [];
  /** Unsafe in production, tolerated in a development realm. */
  const unsafe = (code: string, path: string, message: string): void => {
    findings.push({ level: options.development ? 'warning' : 'error', code, path, message: options.development ? message : `${message} (outside development)` });
  };
  const warn = (code: string, path: string, message: string): void => {
    findings.push({ level: 'warning', code, path, message });
  };

  // Transport and addresses.
  if (realm.sslRequired === 'none') unsafe('ssl_not_required', 'sslRequired', 'is "none": Keycloak serves logins and tokens over plain http; use "external" or "all"');
  if (model.settings.allowLoopback) unsafe('loopback_allowed', `attributes.${REALM_ATTRIBUTES.allowLoopback}`, 'is "true": the server fetches metadata and keys from loopback and accepts http loopback identifiers');
  if (model.settings.signatureWindow > WIDE_SIGNATURE_WINDOW) {
    warn('signature_window_wide', `attributes.${REALM_ATTRIBUTES.signatureWindow}`, `is ${model.settings.signatureWindow} s: a captured request stays valid that long (the profile's default is 60)`);
  }
  for (const [i, issuer] of model.settings.trustedIssuers.entries()) checkIdentifier(issuer, `attributes.${REALM_ATTRIBUTES.trustedIssuers}[${i}]`, 'trusted issuer', unsafe);

  // Clients: identifiers, roles, scopes, consent.
  const clients = objects(realm.clients);
  const scopeOwners = new Map<string, number>();
  for (const scope of model.scopes.values()) if (scope.resource !== undefined) scopeOwners.set(scope.resource, (scopeOwners.get(scope.resource) ?? 0) + 1);
  let agents = 0;
  let resources = 0;
  for (const [i, rep] of clients.entries()) {
    const client = model.clients.get(String(rep.clientId));
    if (client === undefined) continue;
    const path = `clients[${i}]`;
    checkIdentifier(client.clientId, `${path}.clientId`, client.isAgent ? 'agent' : 'resource', unsafe);
    if (client.isAgent) {
      agents += 1;
      if (client.optionalClientScopes.length === 0) {
        warn('agent_without_scopes', `${path}.optionalClientScopes`, `agent ${client.clientId} has no optionalClientScopes: every token request it makes is refused`);
      } else if (!client.consentRequired && !client.optionalClientScopes.some((s) => model.settings.consentScopes.includes(s))) {
        warn('autonomous_agent', `${path}.consentRequired`, `agent ${client.clientId} gets tokens for ${client.optionalClientScopes.join(', ')} without asking a user (consentRequired false, none in ${REALM_ATTRIBUTES.consentScopes}): right for a service, not for an agent acting for people`);
      }
    }
    if (client.isResource) {
      resources += 1;
      if (!scopeOwners.has(client.clientId)) {
        warn('resource_without_scopes', `${path}.attributes.${CLIENT_ATTRIBUTES.resource}`, `resource ${client.clientId} offers no scope (no client scope has ${SCOPE_ATTRIBUTES.resource}="${client.clientId}")`);
      }
    }
  }
  if (agents === 0) warn('no_agents', 'clients', `no client has ${CLIENT_ATTRIBUTES.agent}="true": no agent can get a token`);
  if (resources === 0) warn('no_resources', 'clients', `no client has ${CLIENT_ATTRIBUTES.resource}="true": no resource can issue a resource token the realm accepts`);

  // Users: secrets in the file, and password guessing.
  const users = objects(realm.users);
  for (const user of users) {
    const name = typeof user.username === 'string' ? user.username : String(user.id);
    for (const [j, credential] of objects(user.credentials).entries()) {
      if (typeof credential.value === 'string') {
        unsafe('plaintext_password', `users[username=${name}].credentials[${j}].value`, 'is a password in plain text in the realm file; create users in the console or import hashed credentials (kc.sh export writes secretData)');
      }
    }
  }
  if (users.length > 0 && realm.bruteForceProtected !== true) {
    warn('brute_force_unprotected', 'bruteForceProtected', 'is not true: the realm has users and no lockout after failed logins');
  }
  if (realm.registrationAllowed === true) warn('registration_allowed', 'registrationAllowed', 'is true: anyone can create an account and approve agents as that user');
  return findings;
}

function checkIdentifier(identifier: string, path: string, what: string, unsafe: (code: string, path: string, message: string) => void): void {
  const url = new URL(identifier);
  if (url.protocol !== 'https:') unsafe('insecure_identifier', path, `${what} ${identifier} is not https`);
  else if (isLoopbackHost(url.hostname)) unsafe('loopback_identifier', path, `${what} ${identifier} is a loopback address`);
}
