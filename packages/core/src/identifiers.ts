/**
 * Server identifiers (wire notes §5.3): `https`, lowercase, scheme and host only. Two relaxations
 * exist, each an explicit setting, never a default (DESIGN.md "Identifiers"):
 *  - `allowLoopbackHttp`: development on one machine — `http` and a port, for loopback names only;
 *  - `exact`: identifiers trusted by their exact string, e.g. a Keycloak issuer with its
 *    `/realms/{realm}` path.
 */
import { MalformedError } from './errors.js';
import { AAUTH_CURRENT } from './profile/aauth-current.js';

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
  // Only a string can be one (what JSON hands over is not always a string); and only a string is kept below.
  if (typeof value !== 'string') return false;
  // The answer depends on the text and `allowLoopbackHttp` alone; the same few identifiers (a
  // token's `iss`) are checked on every request, so each answer is kept, bounded, oldest out first.
  const key = `${policy.allowLoopbackHttp === true ? 'L' : 'S'}${value}`;
  let verdict = serverIdentifierVerdicts.get(key);
  if (verdict === undefined) {
    verdict = parsesAsServerIdentifier(value, policy.allowLoopbackHttp === true);
    if (serverIdentifierVerdicts.size >= SERVER_IDENTIFIER_VERDICTS_MAX) serverIdentifierVerdicts.delete(serverIdentifierVerdicts.keys().next().value as string);
    serverIdentifierVerdicts.set(key, verdict);
  }
  return verdict;
}

const serverIdentifierVerdicts = new Map<string, boolean>();
const SERVER_IDENTIFIER_VERDICTS_MAX = 256;

function parsesAsServerIdentifier(value: string, allowLoopbackHttp: boolean): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Exact textual form: lowercase, no trailing slash, nothing but scheme://host[:port].
  if (`${url.protocol}//${url.host}` !== value) return false;
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return url.port === '' || (allowLoopbackHttp && isLoopbackHost(url.hostname));
  return url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname);
}

/** `{identifier}/.well-known/{document}` (RFC 8615; appended to a path-carrying issuer as Keycloak does). */
export function wellKnownUrl(identifier: string, document: string): string {
  return `${identifier.replace(/\/+$/, '')}/.well-known/${document}`;
}

/**
 * draft-hardt-oauth-aauth-protocol §Agent Identifiers: `aauth:local@domain`. `local` is 1–255 of
 * `a-z 0-9 - _ + .`; `+` only joins a sub-agent's discriminator to its parent's `local`, once (a
 * sub-agent has no sub-agents, §Single-Level Depth); `domain` is the agent provider's host, a server
 * identifier without its scheme (§Server Identifiers). Compared as exact strings, never case-folded.
 */
export interface AgentIdentifier {
  readonly value: string;
  readonly local: string;
  readonly domain: string;
  /** The parent's `local` when `local` has the sub-agent form. For logs only: `parent_agent` decides. */
  readonly parentLocal?: string;
}

const AGENT_LOCAL = /^[a-z0-9._+-]+$/;

function agentIdentifierProblem(value: string, policy: IdentifierPolicy): string | AgentIdentifier {
  const { scheme, subAgentDelimiter, maxLocalLength } = AAUTH_CURRENT.agentIdentifier;
  if (!value.startsWith(scheme)) return `it does not start with "${scheme}"`;
  const rest = value.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at < 0) return 'it has no "@domain"';
  const local = rest.slice(0, at);
  const domain = rest.slice(at + 1);
  if (local.length === 0) return 'its local part is empty';
  if (local.length > maxLocalLength) return `its local part exceeds ${maxLocalLength} characters`;
  if (!AGENT_LOCAL.test(local)) return 'its local part has characters outside a-z 0-9 - _ + .';
  const parts = local.split(subAgentDelimiter);
  if (parts.length > 2 || parts.some((p) => p.length === 0)) return `its local part must be "parent" or "parent${subAgentDelimiter}discriminator"`;
  if (!isServerIdentifier(`https://${domain}`, policy) || domain.includes('/')) return 'its domain is not a server identifier host';
  return parts.length === 2 ? { value, local, domain, parentLocal: parts[0] as string } : { value, local, domain };
}

/** Parse an agent identifier; anything malformed is a `MalformedError` with reason `invalid_agent_identifier`. */
export function parseAgentIdentifier(value: unknown, policy: IdentifierPolicy = {}): AgentIdentifier {
  const found = typeof value === 'string' ? agentIdentifierProblem(value, policy) : 'it is not a string';
  if (typeof found === 'string') {
    throw new MalformedError('invalid_request', `${JSON.stringify(value)} is not an agent identifier: ${found}`, typeof value === 'string' ? value : undefined, { reason: 'invalid_agent_identifier', actual: value });
  }
  return found;
}

export function isAgentIdentifier(value: unknown, policy: IdentifierPolicy = {}): value is string {
  return typeof value === 'string' && typeof agentIdentifierProblem(value, policy) !== 'string';
}

/** `aauth:{local}@{domain}`, validated. */
export function formatAgentIdentifier(local: string, domain: string, policy: IdentifierPolicy = {}): string {
  return parseAgentIdentifier(`${AAUTH_CURRENT.agentIdentifier.scheme}${local}@${domain}`, policy).value;
}

/** A sub-agent's identifier under a top-level `parent` (§Sub-Agent Identity naming). */
export function subAgentIdentifier(parent: string, discriminator: string, policy: IdentifierPolicy = {}): string {
  const p = parseAgentIdentifier(parent, policy);
  if (p.parentLocal !== undefined) throw new MalformedError('invalid_request', `${parent} is a sub-agent and cannot have sub-agents`, parent, { reason: 'invalid_agent_identifier' });
  return formatAgentIdentifier(`${p.local}${AAUTH_CURRENT.agentIdentifier.subAgentDelimiter}${discriminator}`, p.domain, policy);
}
