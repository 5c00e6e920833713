/**
 * Server identifiers (wire notes §5.3): `https`, lowercase, scheme and host only. Two relaxations
 * exist, each an explicit setting, never a default (DESIGN.md "Identifiers"):
 *  - `allowLoopbackHttp`: development on one machine — `http` and a port, for loopback names only;
 *  - `exact`: identifiers trusted by their exact string, e.g. a Keycloak issuer with its
 *    `/realms/{realm}` path.
 */
export interface IdentifierPolicy {
  readonly allowLoopbackHttp?: boolean;
  readonly exact?: readonly string[];
}

/** RFC 6761 §6.3: `localhost` and `*.localhost` are always loopback; so are 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

export function isServerIdentifier(value: string, policy: IdentifierPolicy = {}): boolean {
  if (policy.exact?.includes(value)) return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Exact textual form: lowercase, no trailing slash, nothing but scheme://host[:port].
  if (`${url.protocol}//${url.host}` !== value) return false;
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return url.port === '' || (policy.allowLoopbackHttp === true && isLoopbackHost(url.hostname));
  return url.protocol === 'http:' && policy.allowLoopbackHttp === true && isLoopbackHost(url.hostname);
}

/** `{identifier}/.well-known/{document}` (RFC 8615; appended to a path-carrying issuer as Keycloak does). */
export function wellKnownUrl(identifier: string, document: string): string {
  return `${identifier.replace(/\/+$/, '')}/.well-known/${document}`;
}
