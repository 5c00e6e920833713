/**
 * An issuer URL that may carry a path (a Person Server at `{origin}/realms/{realm}`, as Keycloak
 * serves it): https, or `http` on a loopback host in development; no credentials, query, fragment
 * or trailing slash, written exactly as the URL parser writes it (so two spellings never name one
 * server). Server identifiers proper (scheme and host only) are core's `isServerIdentifier`.
 */
import { isLoopbackHost, type IdentifierPolicy } from '@aauth-ts/core';

export function isIssuerUrl(value: unknown, policy: IdentifierPolicy = {}): value is string {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return false;
  if (url.href !== value && url.href !== `${value}/`) return false;
  if (value.endsWith('/')) return false;
  return url.protocol === 'https:' || (policy.allowLoopbackHttp === true && url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** `policy` that also accepts `issuer` exactly as written (its tokens' `iss`, `aud`, `ps`). */
export function trusting(policy: IdentifierPolicy, issuer: string): IdentifierPolicy {
  return { ...policy, exact: [...(policy.exact ?? []), issuer] };
}
