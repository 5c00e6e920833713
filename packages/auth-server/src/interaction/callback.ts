/**
 * Which `callback` the interaction endpoint may send the browser to once the user decides
 * (draft-hardt-aauth §User Interaction; §Endpoint URLs for the loopback form). The draft gives the
 * callback no security role (tokens travel only by polling), but an auth server that redirects
 * anywhere is an open redirect carrying its own name: so only the requesting agent's own origin
 * (§Agent Server Metadata: `callback_endpoint` is any URL on that origin) or, for native agents,
 * an `http` loopback URL with a port and no query.
 */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

function parse(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

export function callbackAllowed(callback: string, agentId: string): boolean {
  const url = parse(callback);
  const agent = parse(agentId);
  if (url === undefined || agent === undefined) return false;
  if (url.hash !== '' || callback.includes('#') || url.username !== '' || url.password !== '') return false;
  if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === agent.origin) return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) && url.port !== '' && url.search === '';
}
