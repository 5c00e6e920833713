/**
 * npm `@hellocoop/mockin` as the Person Server against core's current-profile tokens and
 * signatures, over loopback. Our side is an agent provider and a resource, each publishing its
 * current-profile metadata document (`issuer`, `jwks_uri`) and JWKS, so that mockin discovers
 * their keys through `dwk` as it would anyone's; we discover mockin's the same way
 * (`KeyDiscovery` with `profile: 'aauth-current'`).
 *
 * Each path is a list of steps, stopping at the first red one:
 *  - `core ↔ mockin`: our agent token and request signature at its person token endpoint → its
 *    person token through core's verifier → our resource token at its auth token endpoint → its
 *    auth token through core's verifier.
 *  - `… + person_token_jti`: the same resource token also carrying `person_token_jti` (mockin's
 *    name for the draft's `presented_jti`), which shows the steps after mockin's refusal.
 *  - `sub-agent`: §Sub-Agents, the parent asks for a person token with a `subagent_token`.
 */
import { sign as cryptoSign } from 'node:crypto';
import {
  GuardedFetcher, KeyDiscovery, createAaAgentToken, createAaResourceToken, generateSigningKey, signRequest, toJwks, verifyAaAuthToken, verifyAaPersonToken,
  type IdentifierPolicy, type SigningKey,
} from '@aauth-ts/core';
import { startLoopbackServer, type LoopbackServer } from '../packages/core/test/helpers/loopback-server.js';
import type { Mockin, MockinMetadata } from './mockin.js';
import { oneLine, reasonOf } from './our-side.js';
import type { Outcome, Row } from './table.js';

export interface Step { readonly step: string; readonly ok: boolean; readonly reason?: string }

export const IDENTIFIERS: IdentifierPolicy = { allowLoopbackHttp: true };


/** A server on loopback publishing `/.well-known/{dwk}` (`issuer` = its origin, `jwks_uri`) and its JWKS. */
export async function startPublisher(dwk: string, key: SigningKey, extra: Readonly<Record<string, unknown>> = {}): Promise<LoopbackServer> {
  const server = await startLoopbackServer();
  server.json(`/.well-known/${dwk}`, { issuer: server.origin, jwks_uri: `${server.origin}/jwks.json`, ...extra });
  server.json('/jwks.json', toJwks([key], 'aauth-current'));
  return server;
}

/** Core's key discovery through `dwk`, loopback allowed (every party here is on 127.0.0.1). */
export const discovery = (): KeyDiscovery => new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }), { profile: 'aauth-current' });

/** A signed JSON POST, as §Person Token Endpoint and §Agent Token Request ask: covering `content-type` and `content-digest`. */
export async function signedPost(url: string, body: Readonly<Record<string, unknown>>, key: SigningKey, jwt: string): Promise<Response> {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json' };
  const signed = signRequest({ method: 'POST', url, headers, body: text }, { key, signatureKey: { scheme: 'jwt', jwt } });
  return fetch(url, { method: 'POST', headers: { ...headers, ...signed }, body: text });
}

/** The answer's JSON member `name`, or a one-line reason with the status and problem details. */
async function member(res: Response, name: string): Promise<{ value?: string; reason?: string }> {
  const body = await res.json().catch(() => ({})) as Record<string, unknown>;
  if (res.status === 200 && typeof body[name] === 'string') return { value: body[name] as string };
  return { reason: oneLine(`${res.status} ${String(body.error ?? '')}: ${String(body.detail ?? body.error_description ?? '')}`) };
}

const part = (text: string): Record<string, unknown> => JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The same JWS with header members and claims changed (`undefined` removes one), signed again with the key that made it. */
export function resign(token: string, key: SigningKey, change: { header?: Record<string, unknown>; claims?: Record<string, unknown> }): string {
  const [header, payload] = token.split('.') as [string, string];
  const drop = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const input = `${encode(drop({ ...part(header), ...change.header }))}.${encode(drop({ ...part(payload), ...change.claims }))}`;
  return `${input}.${cryptoSign(null, Buffer.from(input), key.privateKey).toString('base64url')}`;
}

export interface CoreParties {
  readonly provider: LoopbackServer;
  readonly resource: LoopbackServer;
  readonly providerKey: SigningKey;
  readonly resourceKey: SigningKey;
  close(): Promise<void>;
}

export async function startCoreParties(): Promise<CoreParties> {
  const providerKey = generateSigningKey('Ed25519', 'interop-agent-provider-1');
  const resourceKey = generateSigningKey('Ed25519', 'interop-resource-1');
  const provider = await startPublisher('aauth-agent.json', providerKey);
  const resource = await startPublisher('aauth-resource.json', resourceKey);
  return { provider, resource, providerKey, resourceKey, close: async () => { await Promise.all([provider.close(), resource.close()]); } };
}

const AGENT = 'aauth:interop-agent@127.0.0.1';

/** A run of steps: each returns its reason when red; the first red one ends the path. */
async function steps(list: readonly (readonly [string, () => Promise<string | undefined>])[]): Promise<Step[]> {
  const out: Step[] = [];
  for (const [step, run] of list) {
    let reason: string | undefined;
    try { reason = await run(); } catch (err) { reason = reasonOf(err); }
    out.push(reason === undefined ? { step, ok: true } : { step, ok: false, reason });
    if (reason !== undefined) break;
  }
  return out;
}

export const CORE_STEPS = ['our agent token + signature → person token', 'person token → core verifier', 'our resource token → auth token', 'auth token → core verifier'] as const;

/** The `core ↔ mockin` path; `bridge` adds mockin's `person_token_jti` to the resource token. */
export async function coreWithMockin(mockin: Mockin, parties: CoreParties, bridge: boolean): Promise<Step[]> {
  const meta: MockinMetadata = await mockin.metadata();
  const keys = discovery();
  const delegate = generateSigningKey('Ed25519', 'interop-delegate');
  const agentToken = await createAaAgentToken(parties.providerKey, { iss: parties.provider.origin, sub: AGENT, cnfJwk: delegate.publicJwk, ps: mockin.origin });
  const audience = parties.resource.origin;
  let personToken = '';
  let person: Awaited<ReturnType<typeof verifyAaPersonToken>> | undefined;
  let authToken = '';
  return steps([
    [CORE_STEPS[0], async () => {
      const got = await member(await signedPost(meta.person_token_endpoint, { resource: audience }, delegate, agentToken), 'person_token');
      personToken = got.value ?? '';
      return got.reason;
    }],
    [CORE_STEPS[1], async () => { person = await verifyAaPersonToken(personToken, { keys, identifiers: IDENTIFIERS, audience, requestKey: delegate.publicJwk }); return undefined; }],
    [CORE_STEPS[2], async () => {
      const p = person as NonNullable<typeof person>;
      let token = await createAaResourceToken(parties.resourceKey, { iss: audience, aud: mockin.origin, ps: p.iss, sub: p.sub, presentedJti: p.jti, agentJkt: delegate.thumbprint, scope: 'inventory:read' });
      if (bridge) token = resign(token, parties.resourceKey, { claims: { person_token_jti: p.jti } });
      const got = await member(await signedPost(meta.auth_token_endpoint, { resource_token: token }, delegate, agentToken), 'auth_token');
      authToken = got.value ?? '';
      return got.reason;
    }],
    [CORE_STEPS[3], async () => { await verifyAaAuthToken(authToken, { keys, identifiers: IDENTIFIERS, audience, requestKey: delegate.publicJwk }); return undefined; }],
  ]);
}

export const SUBAGENT_STEPS = ['parent + subagent_token → person token', 'person token bound to the sub-agent key'] as const;

/** §Sub-Agents (parent-mediated): the parent signs, the `subagent_token` names it in `parent_agent`. */
export async function subAgentWithMockin(mockin: Mockin, parties: CoreParties): Promise<Step[]> {
  const meta = await mockin.metadata();
  const keys = discovery();
  const parent = generateSigningKey('Ed25519', 'interop-parent');
  const child = generateSigningKey('Ed25519', 'interop-child');
  const parentToken = await createAaAgentToken(parties.providerKey, { iss: parties.provider.origin, sub: AGENT, cnfJwk: parent.publicJwk });
  const childToken = await createAaAgentToken(parties.providerKey, { iss: parties.provider.origin, sub: 'aauth:interop-agent+search1@127.0.0.1', cnfJwk: child.publicJwk, parentAgent: AGENT });
  let personToken = '';
  return steps([
    [SUBAGENT_STEPS[0], async () => {
      const got = await member(await signedPost(meta.person_token_endpoint, { resource: parties.resource.origin, subagent_token: childToken }, parent, parentToken), 'person_token');
      personToken = got.value ?? '';
      return got.reason;
    }],
    [SUBAGENT_STEPS[1], async () => { await verifyAaPersonToken(personToken, { keys, identifiers: IDENTIFIERS, audience: parties.resource.origin, requestKey: child.publicJwk }); return undefined; }],
  ]);
}

/** A request the draft says a PS refuses (or serves), and how. */
export interface DraftCase {
  readonly name: string;
  /** What the draft asks of the PS: the status (any of these), and the `error` code where it names one. */
  readonly draft: { readonly status: readonly number[]; readonly error?: string };
  readonly section: string;
  run(ctx: CaseContext): Promise<Response>;
}

interface CaseContext {
  readonly meta: MockinMetadata;
  readonly parties: CoreParties;
  readonly delegate: SigningKey;
  readonly agentToken: string;
  /** A person token from the PS for our resource, its claims. */
  person(missionS256?: string): Promise<{ jti: string; iss: string; sub: string }>;
  resourceToken(claims: { ps: string; sub: string; presentedJti: string; missionS256?: string }): Promise<string>;
}

const S256 = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

export const DRAFT_CASES: readonly DraftCase[] = [
  {
    name: 'resource token naming a person token the PS never issued',
    section: '§Resource Token Verification step 6',
    draft: { status: [400], error: 'unknown_person_token' },
    run: async (c) => {
      const p = await c.person();
      const jti = 'not-issued-by-this-ps';
      const token = resign(await c.resourceToken({ ps: p.iss, sub: p.sub, presentedJti: jti }), c.parties.resourceKey, { claims: { person_token_jti: jti } });
      return signedPost(c.meta.auth_token_endpoint, { resource_token: token }, c.delegate, c.agentToken);
    },
  },
  {
    name: 'resource token with the person token\'s mission_s256 stripped',
    section: '§Resource Token Verification step 6',
    draft: { status: [400], error: 'invalid_resource_token' },
    run: async (c) => {
      const p = await c.person(S256);
      const token = resign(await c.resourceToken({ ps: p.iss, sub: p.sub, presentedJti: p.jti }), c.parties.resourceKey, { claims: { person_token_jti: p.jti } });
      return signedPost(c.meta.auth_token_endpoint, { resource_token: token }, c.delegate, c.agentToken);
    },
  },
  {
    name: 'person token request naming a mission the PS does not hold',
    // "MUST verify the mission exists, is active, and belongs to this agent, and MUST reject the
    // request otherwise"; the code is not pinned (invalid_request, or mission_not_found as at the mission endpoint).
    section: '§Person Token Endpoint (mission_s256)',
    draft: { status: [400, 403, 404] },
    run: async (c) => signedPost(c.meta.person_token_endpoint, { resource: c.parties.resource.origin, mission_s256: S256 }, c.delegate, c.agentToken),
  },
  {
    name: 'agent token signed as "EdDSA"',
    section: '§Signature Algorithms',
    draft: { status: [401] },
    run: async (c) => signedPost(c.meta.person_token_endpoint, { resource: c.parties.resource.origin }, c.delegate, resign(c.agentToken, c.parties.providerKey, { header: { alg: 'EdDSA' } })),
  },
  {
    name: 'agent token without "dwk"',
    section: '§Agent Token Verification step 2',
    draft: { status: [401] },
    run: async (c) => signedPost(c.meta.person_token_endpoint, { resource: c.parties.resource.origin }, c.delegate, resign(c.agentToken, c.parties.providerKey, { claims: { dwk: undefined } })),
  },
  {
    name: 'body not covered by content-digest',
    section: '§Covered Components',
    draft: { status: [401] },
    run: async (c) => {
      const url = c.meta.person_token_endpoint;
      const body = JSON.stringify({ resource: c.parties.resource.origin });
      const headers = { 'content-type': 'application/json' };
      const signed = signRequest({ method: 'POST', url, headers, body }, { key: c.delegate, signatureKey: { scheme: 'jwt', jwt: c.agentToken }, componentPolicy: 'draft-minimum' });
      return fetch(url, { method: 'POST', headers: { ...headers, ...signed }, body });
    },
  },
];

/** Runs one case: green when the PS answers as the draft says (status and `error`), red with what it answered. */
export async function runDraftCase(mockin: Mockin, parties: CoreParties, draftCase: DraftCase): Promise<Step> {
  const meta = await mockin.metadata();
  const delegate = generateSigningKey('Ed25519', 'interop-delegate');
  const agentToken = await createAaAgentToken(parties.providerKey, { iss: parties.provider.origin, sub: AGENT, cnfJwk: delegate.publicJwk, ps: mockin.origin });
  const ctx: CaseContext = {
    meta, parties, delegate, agentToken,
    person: async (missionS256) => {
      const got = await member(await signedPost(meta.person_token_endpoint, { resource: parties.resource.origin, ...(missionS256 === undefined ? {} : { mission_s256: missionS256 }) }, delegate, agentToken), 'person_token');
      if (got.value === undefined) throw new Error(`no person token: ${got.reason ?? ''}`);
      return part(got.value.split('.')[1] as string) as { jti: string; iss: string; sub: string };
    },
    resourceToken: (claims) => createAaResourceToken(parties.resourceKey, { iss: parties.resource.origin, aud: mockin.origin, agentJkt: delegate.thumbprint, scope: 'inventory:read', ...claims }),
  };
  try {
    const res = await draftCase.run(ctx);
    const body = await res.json().catch(() => ({})) as Record<string, unknown>;
    const answered = res.ok ? `${res.status}: served the request` : oneLine(`${res.status} ${String(body.error ?? '')}${body.detail === undefined ? '' : `: ${String(body.detail)}`}`);
    const ok = draftCase.draft.status.includes(res.status) && (draftCase.draft.error === undefined || body.error === draftCase.draft.error);
    return ok ? { step: draftCase.name, ok } : { step: draftCase.name, ok, reason: answered };
  } catch (err) {
    return { step: draftCase.name, ok: false, reason: reasonOf(err) };
  }
}

/** A path's rows, one per step name: green, red (with the deviation) or not reached. */
export function pathRows(library: string, path: string, names: readonly string[], got: readonly Step[], why: (step: Step) => string | undefined): Row[] {
  let stopped = false;
  return names.map((name) => {
    const keys = [library, path, name];
    if (stopped) return { keys, outcome: 'not reached' as Outcome };
    const step = got.find((s) => s.step === name);
    if (step?.ok === true) return { keys, outcome: 'green' as Outcome };
    stopped = true;
    const deviation = step === undefined ? undefined : why(step);
    return { keys, outcome: 'RED' as Outcome, reason: step?.reason ?? 'no answer', ...(deviation === undefined ? {} : { why: deviation }) };
  });
}
