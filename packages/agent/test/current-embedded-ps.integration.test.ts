/**
 * The agent in the current profile against the real parts: the embedded auth server as Person
 * Server (`aauth.personServer`, its interaction page driven over HTTP as a person would), the
 * resource middleware (`@aauth-ts/resource`, `profile: 'aauth-current'`) and an agent provider, all
 * on loopback. Person token, auth token, mission and sub-agent, end to end.
 */
import express from 'express';
import { generateSigningKey } from '@aauth-ts/core';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { aauth, aauthErrorHandler, captureRawBody, type AAuthRequest } from '@aauth-ts/resource';
import { AAuthClient, AgentServer, AgentSession, type AAuthEvent, type Interaction } from '@aauth-ts/agent';
import { driveInteraction } from '../../../conformance/support/consent-driver.js';
import { host, type Host } from './support/http.js';

const USER = { id: '5b2c7e1a-9d3f-4c8b-a6e0-2f1d4c3b5a69', username: 'person-user', password: 'person-password' };

let authServer: AuthServer;
let issuer: string;
let providerHost: Host;
let stockHost: Host;
let provider: AgentServer;

/** The person at the PS's interaction page: log in, approve. */
async function approve(interaction: Interaction): Promise<void> {
  const url = new URL(interaction.url);
  await driveInteraction('embedded', `${url.origin}${url.pathname}`, interaction.code, USER, 'approve');
}

beforeAll(async () => {
  [providerHost, stockHost] = await Promise.all([host(), host()]);
  authServer = createAuthServer({
    log: () => undefined,
    logger: { info: () => undefined, warn: () => undefined },
    realm: {
      realm: 'agent-current',
      attributes: { 'aauth.personServer': 'true', 'aauth.pairwiseSalt': 'agent-test-salt-not-secret', 'aauth.allowLoopback': 'true' },
      users: [{ id: USER.id, username: USER.username, enabled: true, credentials: [{ type: 'password', value: USER.password }] }],
      clientScopes: [{ name: 'stock:read', description: 'Read stock levels', attributes: { 'aauth.resource': stockHost.id } }],
      clients: [
        { clientId: providerHost.id, name: 'Supply-chain agents', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['stock:read'] },
        { clientId: stockHost.id, name: 'Inventory', attributes: { 'aauth.resource': 'true' } },
      ],
    },
  });
  issuer = (await authServer.listen(0, '127.0.0.1')).issuer;
  // Most agents here are given the PS on the client; one names it as `ps` in its agent token. A
  // Person Server at `{origin}/realms/{realm}` is not a draft server identifier (scheme and host
  // only), so parties trust it by its exact string.
  provider = new AgentServer({ identifier: providerHost.id, development: true, profile: 'aauth-current' });
  providerHost.use(provider.router());
  const app = express();
  app.use(express.json({ verify: captureRawBody }));
  const guard = aauth({ profile: 'aauth-current', resource: stockHost.id, signingKey: generateSigningKey(), development: true, trustedPersonServers: [issuer], accessMode: 'auth-token', scopeDescriptions: { 'stock:read': 'Read stock levels' } });
  app.use(guard);
  app.get('/stock', guard.requireAuth({ scope: 'stock:read' }), (req, res) => {
    const { ps, sub, missionS256 } = (req as AAuthRequest).aauth;
    res.json({ ps, sub, missionS256: missionS256 ?? null, bolts: 1200 });
  });
  app.use(aauthErrorHandler());
  stockHost.use(app);
});

afterAll(async () => {
  await Promise.all([authServer?.close(), providerHost?.close(), stockHost?.close()]);
});

function agent(local: string, extra: Partial<ConstructorParameters<typeof AAuthClient>[0]> = {}): { client: AAuthClient; events: AAuthEvent[]; session: AgentSession } {
  const events: AAuthEvent[] = [];
  const session = AgentSession.delegateOf(provider, { sub: provider.agentIdentifier(local) });
  const client = new AAuthClient({ session, development: true, profile: 'aauth-current', personServer: issuer, onInteraction: approve, onEvent: (e) => events.push(e), minPollIntervalMs: 10, ...extra });
  return { client, events, session };
}

it('person token and auth token from the embedded Person Server, the person approving at its interaction page', async () => {
  const { client, events } = agent('buyer');
  const response = await client.fetch(`${stockHost.id}/stock`);
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ ps: issuer, bolts: 1200, missionS256: null });
  const hops = events.map((e) => e.type).filter((t) => ['requirement', 'person-token.issued', 'auth-token.issued'].includes(t));
  expect(hops).toEqual(['requirement', 'person-token.issued', 'requirement', 'auth-token.issued']);
  // Held: the next call goes straight through.
  expect((await client.fetch(`${stockHost.id}/stock`)).status).toBe(200);
});

it('an agent token whose ps names this Person Server (its realm-path issuer) is accepted, and the client finds the PS through it', async () => {
  const events: AAuthEvent[] = [];
  const session = AgentSession.delegateOf(provider, { sub: provider.agentIdentifier('named-ps'), ps: issuer });
  const client = new AAuthClient({ session, development: true, profile: 'aauth-current', onInteraction: approve, onEvent: (e) => events.push(e), minPollIntervalMs: 10 });
  const response = await client.fetch(`${stockHost.id}/stock`);
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ ps: issuer, bolts: 1200 });
});

it('a mission approved by the person: s256 verified, its person token used, the auth token carries mission_s256', async () => {
  const { client } = agent('planner');
  const mission = await client.proposeMission({ description: '# Restock\n\nCheck the bolt stock.', resources: [stockHost.id] });
  expect(mission.blob.approver).toBe(issuer);
  const answer = (await (await client.forMission(mission).fetch(`${stockHost.id}/stock`)).json()) as { missionS256: string };
  expect(answer.missionS256).toBe(mission.s256);
});

it('a sub-agent gets through with the tokens its parent obtained (subagent_token), never calling the PS itself', async () => {
  const { client: parent, session: parentSession } = agent('orchestrator');
  const parentId = provider.agentIdentifier('orchestrator');
  expect(parentSession.agentId).toBe(provider.identifier);
  const subSession = AgentSession.delegateOf(provider, { sub: provider.agentIdentifier('orchestrator+worker1'), parentAgent: parentId });
  const subagentToken = await subSession.agentToken();
  const psCalls: string[] = [];
  const sub = new AAuthClient({
    session: subSession, development: true, profile: 'aauth-current', personServer: issuer,
    onEvent: (e) => { if (e.type === 'ps.request') psCalls.push(e.url); },
    parent: {
      personToken: (resource) => parent.subAgentPersonToken(resource, subagentToken),
      authToken: (resourceToken) => parent.subAgentAuthToken(resourceToken, subagentToken),
    },
  });
  const response = await sub.fetch(`${stockHost.id}/stock`);
  expect(response.status).toBe(200);
  expect(psCalls).toEqual([]);
});
