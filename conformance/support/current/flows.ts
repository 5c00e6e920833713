/**
 * Steps the Person Server cases share: reading an `AAuth-Requirement` header, answering a deferred
 * request through the interaction page, and getting a person token, a resource token and an auth
 * token the ordinary way. Each step asserts only what every case relies on; the cases assert the rest.
 */
import type { Decision } from '../consent-driver.js';
import type { JsonResponse, Signer } from '../signed-fetch.js';
import type { Agent, Resource } from './parties.js';
import { decode, thumbprint, type CurrentWorld } from './world.js';
import type { Credentials } from '../consent-driver.js';

/** The members of an `AAuth-Requirement` dictionary (RFC 8941): `requirement` and its parameters. */
export function requirementOf(res: JsonResponse): Record<string, string> {
  const value = res.headers.get('aauth-requirement');
  if (value === null) throw new Error(`no AAuth-Requirement on HTTP ${res.status}: ${JSON.stringify(res.json)}`);
  const out: Record<string, string> = {};
  for (const part of value.split(';')) {
    const m = /^\s*([a-z][a-z0-9_.*-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;,]+))\s*$/.exec(part);
    if (m) out[m[1] as string] = m[2] !== undefined ? (m[2] as string).replace(/\\(.)/g, '$1') : (m[3] as string);
  }
  return out;
}

/** The problem body's `error` and the status, for one-line assertions. */
export function refusal(res: JsonResponse): { status: number; error: unknown } {
  return { status: res.status, error: res.json.error };
}

export interface Deferred {
  readonly location: string;
  readonly code: string;
}

/** A 202 from the Person Server: its pending URL and interaction code. */
export function deferred(res: JsonResponse): Deferred {
  if (res.status !== 202) throw new Error(`expected 202, got HTTP ${res.status}: ${JSON.stringify(res.json)}`);
  const location = res.headers.get('location');
  if (location === null) throw new Error('a 202 without Location');
  return { location, code: requirementOf(res).code as string };
}

/** Decide a deferred request as the person (or `user`), then poll once for its terminal answer. */
export async function decide(w: CurrentWorld, agent: Agent, pending: Deferred, decision: Decision = 'approve', user?: Credentials): Promise<JsonResponse> {
  const result = await w.interact(pending.code, decision, user === undefined ? {} : { user });
  if (!result.decided) throw new Error(`the interaction page did not let the person decide: HTTP ${result.page.status}`);
  return w.poll(pending.location, agent);
}

export interface IssuedPersonToken {
  readonly token: string;
  readonly jti: string;
  readonly sub: string;
  readonly payload: Record<string, unknown>;
}

/** POST the person token endpoint; when the person is asked, approve; return the token. */
export async function personToken(w: CurrentWorld, agent: Agent, resource: Resource, body: Readonly<Record<string, unknown>> = {}): Promise<IssuedPersonToken> {
  let res = await w.post(w.metadata.person_token_endpoint, agent, { resource: resource.id, ...body });
  if (res.status === 202) res = await decide(w, agent, deferred(res));
  if (res.status !== 200) throw new Error(`person token: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  const token = res.json.person_token as string;
  const { payload } = decode(token);
  return { token, jti: payload.jti as string, sub: payload.sub as string, payload };
}

/** The resource token `resource` would issue after verifying `person` for `agent`'s key. */
export function resourceTokenFor(w: CurrentWorld, resource: Resource, agent: Agent, person: IssuedPersonToken, scope: string, claims: Readonly<Record<string, unknown>> = {}): string {
  const p = person.payload;
  return resource.resourceToken({
    aud: w.issuer, ps: p.iss as string, sub: p.sub as string, presentedJti: p.jti as string, agentJkt: thumbprint(agent.key.publicJwk), scope,
    ...(typeof p.mission_s256 === 'string' ? { missionS256: p.mission_s256 } : {}),
    ...(typeof p.tenant === 'string' ? { tenant: p.tenant } : {}),
    claims,
  });
}

export interface IssuedAuthToken {
  readonly token: string;
  readonly payload: Record<string, unknown>;
}

/**
 * The auth token `agent` holds for the intermediary (§Call Chaining: the `upstream_token`): a person
 * token for the intermediary (the person approves binding a fresh agent), the intermediary's
 * resource token, then the auth token endpoint. `person` replaces the first step (a mission's).
 */
export async function upstreamToken(w: CurrentWorld, agent: Agent, options: { scope?: string; person?: IssuedPersonToken } = {}): Promise<IssuedAuthToken> {
  const person = options.person ?? await personToken(w, agent, w.intermediary);
  const res = await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: resourceTokenFor(w, w.intermediary, agent, person, options.scope ?? 'im:read') });
  if (res.status !== 200) throw new Error(`upstream auth token: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  const token = res.json.auth_token as string;
  return { token, payload: decode(token).payload };
}

/** Sign as the intermediary's own agent, with its own agent token (or `token`), as §Call Chaining requires. */
export function asIntermediary(w: CurrentWorld, token?: string): { agent: Agent; signer: Signer } {
  const agent = w.intermediary.agent;
  return { agent, signer: w.signer(agent, { token: token ?? w.intermediary.agentToken() }) };
}
