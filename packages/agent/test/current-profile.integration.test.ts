/**
 * The agent in the current profile (draft-hardt-oauth-aauth-protocol) against a real Person Server
 * and resource on loopback: agent-provider tokens and metadata, person tokens, auth tokens from
 * the PS, interaction and cancellation, Signature-Error re-signing, missions, sub-agents, the fetch
 * wrapper and the axios interceptor, and the refusals.
 */
import { AAUTH_CURRENT, GuardedFetcher, KeyDiscovery, jwkThumbprint, peekClaims, verifyAaAgentToken } from '@aauth-ts/core';
import axios from 'axios';
import { AAuthClient, AgentServer, AgentSession, withAAuth, type AAuthEvent, type Interaction } from '@aauth-ts/agent';
import express from 'express';
import { aauth, aauthErrorHandler, captureRawBody, type AAuthRequest } from '@aauth-ts/resource';
import { generateSigningKey } from '@aauth-ts/core';
import { host, listen } from './support/http.js';
import { startTestCurrentResource, startTestPersonServer, type TestCurrentResource, type TestPersonServer, type TestPersonServerOptions } from './support/current-servers.js';

interface Provider {
  readonly server: AgentServer;
  close(): Promise<void>;
}

async function startProvider(personServer: string): Promise<Provider> {
  const listening = await listen();
  const server = new AgentServer({ identifier: `http://127.0.0.1:${listening.port}`, development: true, profile: 'aauth-current', personServer, providerMetadata: { name: 'test agent provider' } });
  listening.server.on('request', server.router());
  return { server, close: () => listening.close() };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function world(psOptions: TestPersonServerOptions = {}): Promise<{ ps: TestPersonServer; resource: TestCurrentResource; provider: Provider }> {
  const ps = await startTestPersonServer(psOptions);
  const resource = await startTestCurrentResource({ personServers: [ps.issuer] });
  const provider = await startProvider(ps.issuer);
  closers.push(() => ps.close(), () => resource.close(), () => provider.close());
  return { ps, resource, provider };
}

function client(provider: Provider, extra: Partial<ConstructorParameters<typeof AAuthClient>[0]> = {}, local = 'assistant'): { client: AAuthClient; events: AAuthEvent[]; session: AgentSession } {
  const events: AAuthEvent[] = [];
  const session = AgentSession.delegateOf(provider.server, { sub: provider.server.agentIdentifier(local) });
  const c = new AAuthClient({ session, development: true, profile: 'aauth-current', onEvent: (e) => events.push(e), minPollIntervalMs: 10, ...extra });
  return { client: c, events, session };
}

const keys = (): KeyDiscovery => new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }), { profile: 'aauth-current' });

describe('agent provider (§Agent Token Structure, §Agent Provider Metadata)', () => {
  it('issues aa-agent+jwt with sub aauth:local@domain, dwk, cnf.jwk with a fully specified alg, and ps; serves aauth-agent.json with issuer', async () => {
    const { provider, ps } = await world();
    const { session } = client(provider);
    const token = await session.agentToken();
    const claims = await verifyAaAgentToken(token, { keys: keys(), requestKey: session.key.publicJwk, identifiers: { allowLoopbackHttp: true, exact: [ps.issuer] } });
    const host = new URL(provider.server.identifier).host;
    expect(claims).toMatchObject({ iss: provider.server.identifier, sub: `aauth:assistant@${host}`, dwk: 'aauth-agent.json', ps: ps.issuer });
    expect(claims.cnf.jwk.alg).toBe('Ed25519');
    const metadata = await keys().currentMetadata(provider.server.identifier, AAUTH_CURRENT.wellKnown.agent);
    expect(metadata).toMatchObject({ issuer: provider.server.identifier, name: 'test agent provider' });
    expect(metadata).not.toHaveProperty('agent');
  });

  it('refuses to issue a sub-agent token whose parent is itself a sub-agent (§Single-Level Depth)', async () => {
    const { provider } = await world();
    const parent = provider.server.agentIdentifier('planner+one');
    const jwk = AgentSession.delegateOf(provider.server, { sub: provider.server.agentIdentifier('x') }).key.publicJwk;
    expect(() => provider.server.issueAgentToken(jwk, provider.server.agentIdentifier('planner+two'), { parentAgent: parent })).toThrow(/top-level/);
  });
});

describe('person-token and auth-token requirements (§Person Token Required, §Auth Token Required)', () => {
  it('meets person-token with a person token from person_token_endpoint, auth-token with an aa-auth+jwt from auth_token_endpoint, and then reuses the auth token', async () => {
    const { ps, resource, provider } = await world();
    const { client: c, events } = client(provider);
    const response = await c.fetch(`${resource.id}/data`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { sub: string; scope: string };
    expect(body.scope).toBe('data.read');
    expect(resource.presented).toEqual(['aa-agent+jwt', 'aa-person+jwt', 'aa-auth+jwt']);
    expect(ps.requests.map((r) => r.endpoint)).toEqual(['person', 'token']);
    expect(ps.requests[0]?.body).toEqual({ resource: resource.id });
    // §Covered Components: bodied requests to a PS cover content-type and content-digest.
    for (const r of ps.requests) expect(r.components).toEqual(expect.arrayContaining(['content-type', 'content-digest', 'signature-key']));
    const issued = events.find((e) => e.type === 'auth-token.issued') as Extract<AAuthEvent, { type: 'auth-token.issued' }>;
    expect(issued.claims.sub).toBe(body.sub);
    expect(events.some((e) => e.type === 'person-token.issued')).toBe(true);
    // The next call presents the held auth token at once.
    expect((await c.fetch(`${resource.id}/data`)).status).toBe(200);
    expect(resource.presented.slice(3)).toEqual(['aa-auth+jwt']);
    expect(ps.requests).toHaveLength(2);
  });

  it('signs only with scheme=jwt (§Keying Material)', async () => {
    const { resource, provider } = await world();
    const { client: c, events } = client(provider);
    await (await c.fetch(`${resource.id}/data`, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } })).json();
    const signed = events.filter((e): e is Extract<AAuthEvent, { type: 'request.signed' }> => e.type === 'request.signed');
    expect(signed.length).toBe(3);
    for (const e of signed) expect(e.headers['signature-key']).toMatch(/^sig=jwt;jwt="/);
  });

  it('works through the axios interceptor (person token, then auth token, then the data)', async () => {
    const { resource, provider } = await world();
    const { client: c } = client(provider);
    const instance = axios.create();
    withAAuth(instance, { client: c });
    const response = await instance.post(`${resource.id}/data`, { item: 'bolts' });
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({ scope: 'data.read', body: JSON.stringify({ item: 'bolts' }) });
    expect(resource.presented).toEqual(['aa-agent+jwt', 'aa-person+jwt', 'aa-auth+jwt']);
  });

  it('hands the interaction url and code from AAuth-Requirement to onInteraction, then polls the pending URL to the token', async () => {
    const { ps, resource, provider } = await world({ consentInteraction: true });
    const seen: Interaction[] = [];
    const { client: c } = client(provider, {
      onInteraction: (interaction) => {
        seen.push(interaction);
        const record = [...ps.pendings.values()].find((p) => interaction.url.endsWith(`code=${p.code}`));
        if (record !== undefined) ps.decide(record.id, 'approved');
      },
    });
    expect((await c.fetch(`${resource.id}/data`)).status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url.startsWith(`${ps.issuer}/protocol/aauth/ps/interaction?code=`)).toBe(true);
  });

  it('cancels a pending request with DELETE when the caller aborts (§Deferred Responses)', async () => {
    const { ps, resource, provider } = await world({ consentInteraction: true });
    const controller = new AbortController();
    const { client: c, events } = client(provider, { onInteraction: () => { setTimeout(() => controller.abort(new Error('user went away')), 20); } });
    await expect(c.fetch(`${resource.id}/data`, { signal: controller.signal })).rejects.toThrow(/went away/);
    for (let i = 0; i < 250 && !events.some((e) => e.type === 'pending.cancelled'); i++) await new Promise((r) => setTimeout(r, 20));
    expect([...ps.pendings.values()].map((p) => p.state)).toEqual(['cancelled']);
    expect(events.some((e) => e.type === 'pending.cancelled')).toBe(true);
  });

  it('a pending URL that answers 403 denied ends the wait with a typed error', async () => {
    const { ps, resource, provider } = await world({ consentInteraction: true });
    const { client: c } = client(provider, { onInteraction: () => { for (const p of ps.pendings.values()) ps.decide(p.id, 'denied'); } });
    await expect(c.fetch(`${resource.id}/data`)).rejects.toMatchObject({ name: 'PendingDeniedError', serverError: 'denied' });
  });

  it('meets a 202 with requirement=auth-token (deferred delivery) and polls the held request presenting the auth token', async () => {
    const { resource, provider } = await world();
    const { client: c } = client(provider);
    const response = await c.fetch(`${resource.id}/held`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ held: true, executed: 1 });
    expect(resource.presented).toEqual(['aa-agent+jwt', 'aa-person+jwt', 'aa-auth+jwt']);
    expect([...resource.held.values()]).toEqual([{ executed: 1 }]);
  });

  it('re-signs once when Signature-Error invalid_input names components the signature lacks', async () => {
    const { ps, resource, provider } = await world({ misbehave: { requireInput: ['content-type', 'content-digest', 'prefer'] } });
    const { client: c, events } = client(provider);
    expect((await c.fetch(`${resource.id}/data`)).status).toBe(200);
    expect(events.filter((e) => e.type === 'resign')).toHaveLength(1);
    expect(ps.requests[0]?.components).toContain('prefer');
  });
});

describe('call chaining (§Call Chaining)', () => {
  it('a client bound to an upstream token sends it with its person-token and auth-token requests, and keeps those tokens apart from other users\'', async () => {
    const { ps, resource, provider } = await world();
    const { client: c } = client(provider);
    // Read, not verified, by the intermediary: its `ps` names where the chained requests go.
    const part = (json: object): string => Buffer.from(JSON.stringify(json)).toString('base64url');
    const upstream = `${part({ alg: 'Ed25519', typ: 'aa-auth+jwt' })}.${part({ sub: 'upstream', ps: ps.issuer })}.c2ln`;
    expect((await c.forUpstream(upstream).fetch(`${resource.id}/data`)).status).toBe(200);
    expect(ps.requests.map((r) => [r.endpoint, r.body.upstream_token])).toEqual([['person', upstream], ['token', upstream]]);
    // Without the upstream token nothing held for it is used.
    expect((await c.fetch(`${resource.id}/data`)).status).toBe(200);
    expect(ps.requests.map((r) => r.body.upstream_token)).toEqual([upstream, upstream, undefined, undefined]);
  });
});

describe('missions (§Mission Creation, §Mission Approval)', () => {
  it('proposes a mission, verifies s256 against the blob, holds its person tokens, and names mission_s256 in later person-token requests', async () => {
    const { ps, resource, provider } = await world({ missionInteraction: true });
    const other = await startTestCurrentResource({ personServers: [ps.issuer] });
    closers.push(() => other.close());
    const { client: c, events } = client(provider, { onInteraction: () => { for (const p of ps.pendings.values()) ps.decide(p.id, 'approved'); } });
    const mission = await c.proposeMission({ description: '# Restock\n\nOrder bolts.', resources: [resource.id] });
    expect(mission.blob).toMatchObject({ approver: ps.issuer, description: '# Restock\n\nOrder bolts.' });
    expect(mission.resources).toEqual([resource.id]);
    expect(events.some((e) => e.type === 'mission.approved')).toBe(true);
    const worker = c.forMission(mission);
    const answer = (await (await worker.fetch(`${resource.id}/data`)).json()) as { mission: string };
    expect(answer.mission).toBe(mission.s256);
    // The approval's person token went first: no agent-token round trip, no person-token request.
    expect(resource.presented).toEqual(['aa-person+jwt', 'aa-auth+jwt']);
    expect(ps.requests.map((r) => r.endpoint)).toEqual(['mission', 'token']);
    await (await worker.fetch(`${other.id}/data`)).json();
    expect(ps.requests[2]).toMatchObject({ endpoint: 'person', body: { resource: other.id, mission_s256: mission.s256 } });
  });

  it('refuses an approval whose s256 is not the SHA-256 of the mission blob', async () => {
    const { provider } = await world({ misbehave: { s256Mismatch: true } });
    const { client: c } = client(provider);
    await expect(c.proposeMission({ description: 'x' })).rejects.toMatchObject({ detail: { reason: 'mission_s256_mismatch' } });
  });
});

describe('refusals', () => {
  it('refuses a person token issued for another resource', async () => {
    const { resource, provider } = await world({ misbehave: { personTokenAudience: 'https://elsewhere.example' } });
    const { client: c } = client(provider);
    await expect(c.fetch(`${resource.id}/data`)).rejects.toMatchObject({ code: 'invalid_person_token' });
    expect(resource.presented).toEqual(['aa-agent+jwt']);
  });

  it('refuses Person Server metadata whose issuer is not the URL it was fetched from', async () => {
    const { resource, provider } = await world({ misbehave: { issuerMismatch: true } });
    const { client: c } = client(provider);
    await expect(c.fetch(`${resource.id}/data`)).rejects.toMatchObject({ detail: { field: 'issuer' } });
  });

  it('refuses a pending Location on another origin', async () => {
    const { resource, provider } = await world({ consentInteraction: true, misbehave: { locationOffOrigin: 'http://127.0.0.2:9/pending/x' } });
    const { client: c } = client(provider, { onInteraction: () => undefined });
    await expect(c.fetch(`${resource.id}/data`)).rejects.toMatchObject({ detail: { field: 'location', reason: 'origin_mismatch' } });
  });
});

describe('sub-agents (§Parent-Mediated Authorization)', () => {
  it('the parent obtains the sub-agent\'s person token and exchanges its resource token with subagent_token; the sub-agent never calls the PS', async () => {
    const { ps, resource, provider } = await world();
    const { client: parent, session: parentSession } = client(provider, {}, 'planner');
    const parentId = peekClaims(await parentSession.agentToken(), 'invalid_agent_token').sub as string;
    const subSession = AgentSession.delegateOf(provider.server, { sub: provider.server.agentIdentifier('planner+search1'), parentAgent: parentId });
    const subagentToken = await subSession.agentToken();
    // Out of band: here a function call; in an application IPC or a queue.
    const sub = new AAuthClient({
      session: subSession,
      development: true,
      profile: 'aauth-current',
      parent: {
        personToken: (r) => parent.subAgentPersonToken(r, subagentToken),
        authToken: (rt) => parent.subAgentAuthToken(rt, subagentToken),
      },
    });
    const response = await sub.fetch(`${resource.id}/data`);
    expect(response.status).toBe(200);
    expect(ps.requests.map((r) => [r.endpoint, r.agent, r.body.subagent_token])).toEqual([
      ['person', parentId, subagentToken],
      ['token', parentId, subagentToken],
    ]);
    const authToken = await sub.tokenFor(new URL(`${resource.id}/data`));
    const cnf = (peekClaims(authToken as string, 'invalid_auth_token').cnf as { jwk: Parameters<typeof jwkThumbprint>[0] }).jwk;
    expect(jwkThumbprint(cnf)).toBe(subSession.thumbprint);
  });
});

describe('against the resource middleware (@aauth-ts/resource, profile aauth-current)', () => {
  it('the fetch wrapper and the axios interceptor get through requireAuth: person token, resource token, auth token from the PS', async () => {
    const { ps, provider } = await world();
    const site = await host();
    closers.push(() => site.close());
    const app = express();
    app.use(express.json({ verify: captureRawBody }));
    const guard = aauth({ profile: 'aauth-current', resource: site.id, signingKey: generateSigningKey(), development: true, trustedPersonServers: [ps.issuer], accessMode: 'auth-token', scopeDescriptions: { 'stock.read': 'Read stock' } });
    app.use(guard);
    app.post('/stock', guard.requireAuth({ scope: 'stock.read' }), (req, res) => {
      const { ps: issuer, sub, scopes } = (req as AAuthRequest).aauth;
      res.json({ ps: issuer, sub, scopes, body: req.body as unknown });
    });
    app.use(aauthErrorHandler());
    site.use(app);
    const { client: c, events } = client(provider);
    const response = await c.fetch(`${site.id}/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'bolt' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ps: ps.issuer, scopes: ['stock.read'], body: { sku: 'bolt' } });
    expect(events.filter((e) => e.type === 'requirement').map((e) => (e as { requirement: string }).requirement)).toEqual(['person-token', 'auth-token']);
    const { client: other } = client(provider, {}, 'other');
    const instance = axios.create();
    withAAuth(instance, { client: other });
    expect((await instance.post(`${site.id}/stock`, { sku: 'nut' })).data).toMatchObject({ scopes: ['stock.read'], body: { sku: 'nut' } });
  });
});
