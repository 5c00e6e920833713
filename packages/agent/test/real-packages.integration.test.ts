/**
 * The agent against the real parts: the embedded auth server (`createAuthServer`, configured from
 * a realm) and resources built with the resource middleware (`aauth()`), over loopback. Call
 * chaining end to end: a user-delegated agent calls R1 (consent, the user approves on the
 * interaction page); R1's express handler calls R2 with `client.forUpstream(req.aauth.authToken)`;
 * R2 sees R1 as the agent and the user as `sub`. Plus axios against the same resource.
 */
import axios from 'axios';
import express from 'express';
import { generateSigningKey } from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession, withAAuth } from '@aauth-ts/agent';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { host, type Host } from './support/http.js';
import { driveInteraction } from '../../../conformance/support/consent-driver.js';

const USER = { id: 'b7c1e2d3-0000-4000-8000-00000000a11c', username: 'alice', password: 'alice-password' };

let authServer: AuthServer;
let issuer: string;
let r1: Host;
let r2: Host;
let assistantHost: Host;
let assistant: AgentServer;

beforeAll(async () => {
  [r1, r2, assistantHost] = await Promise.all([host(), host(), host()]);
  authServer = createAuthServer({
    log: () => undefined,
    realm: {
      realm: 'agent-e2e',
      attributes: { 'aauth.allowLoopback': 'true' },
      users: [{ id: USER.id, username: USER.username, credentials: [{ type: 'password', value: USER.password }] }],
      clientScopes: [
        { name: 'trip:plan', description: 'Plan a trip', attributes: { 'aauth.resource': r1.id } },
        { name: 'calendar:read', description: 'Read the calendar', attributes: { 'aauth.resource': r2.id } },
      ],
      clients: [
        { clientId: assistantHost.id, name: 'Assistant', consentRequired: true, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['trip:plan'] },
        // R1 is a resource and, for its downstream calls, an agent.
        { clientId: r1.id, name: 'Trip planner', consentRequired: true, attributes: { 'aauth.resource': 'true', 'aauth.agent': 'true', 'aauth.chainScopes': '["calendar:read"]' }, optionalClientScopes: ['calendar:read'] },
        { clientId: r2.id, name: 'Calendar', attributes: { 'aauth.resource': 'true' } },
      ],
    },
  });
  ({ issuer } = await authServer.listen(0));

  // R2: a plain resource.
  const r2mw = aauth({ resource: r2.id, signingKey: generateSigningKey(), authServer: issuer, development: true });
  const r2app = express();
  r2app.use(r2mw);
  r2app.get('/availability', r2mw.requireAuth({ scope: 'calendar:read' }), (req, res) => {
    const ctx = (req as AAuthRequest).aauth;
    res.json({ agent: ctx.agent, sub: ctx.sub ?? null, scopes: ctx.scopes });
  });
  r2app.use(aauthErrorHandler());
  r2.use(r2app);

  // R1: a resource whose handler calls R2 on the user's behalf.
  const r1Agent = new AgentServer({ identifier: r1.id, development: true, jwksPath: '/.well-known/agent-jwks.json' });
  const r1Client = new AAuthClient({ session: AgentSession.delegateOf(r1Agent, { sub: 'planner-1' }), development: true, authServers: [issuer] });
  const r1mw = aauth({ resource: r1.id, signingKey: generateSigningKey(), authServer: issuer, development: true });
  const r1app = express();
  r1app.use(r1Agent.router());
  r1app.use(r1mw);
  r1app.get('/plan', r1mw.requireAuth({ scope: 'trip:plan' }), async (req, res, next) => {
    try {
      const upstream = (req as AAuthRequest).aauth.authToken;
      const downstream = await r1Client.forUpstream(upstream).fetch(`${r2.id}/availability`);
      res.status(downstream.status).json({ calendar: await downstream.json() });
    } catch (err) {
      next(err);
    }
  });
  r1app.use(aauthErrorHandler());
  r1.use(r1app);

  assistant = new AgentServer({ identifier: assistantHost.id, development: true });
  assistantHost.use(assistant.router());
});

afterAll(async () => {
  await authServer.close();
  await Promise.all([r1, r2, assistantHost].map((h) => h.close()));
});

it('user approves at the embedded auth server; R1 chains to R2 with upstream_token; R2 sees R1 and the user', async () => {
  const interactions: string[] = [];
  const client = new AAuthClient({
    session: AgentSession.delegateOf(assistant, { sub: 'assistant-1' }),
    development: true,
    authServers: [issuer],
    minPollIntervalMs: 20,
    onInteraction: async ({ url, code }) => {
      interactions.push(url);
      await driveInteraction('embedded', `${issuer}/protocol/aauth/interact`, code, USER, 'approve');
    },
  });
  const res = await client.fetch(`${r1.id}/plan`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ calendar: { agent: r1.id, sub: USER.id, scopes: ['calendar:read'] } });
  // Only the first hop needed the user: the chained hop carried the user over from the upstream token.
  expect(interactions).toHaveLength(1);
  expect(interactions[0]).toMatch(new RegExp(`^${issuer}/protocol/aauth/interact\\?code=[A-Z0-9]+$`));

  // Warm: both hops reuse their cached tokens.
  const again = await client.fetch(`${r1.id}/plan`);
  expect(again.status).toBe(200);
  expect(interactions).toHaveLength(1);
});

it('the user approves while the agent is already polling (202s, then 200)', async () => {
  const events: string[] = [];
  let decided: Promise<unknown> = Promise.resolve();
  const client = new AAuthClient({
    session: AgentSession.delegateOf(assistant, { sub: 'assistant-3' }),
    development: true,
    authServers: [issuer],
    minPollIntervalMs: 20,
    preferWaitSeconds: 0,
    onEvent: (e) => events.push(e.type === 'poll' ? `poll ${e.status}` : e.type),
    onInteraction: ({ code }) => {
      decided = (async () => {
        while (!events.includes('poll 202')) await new Promise((r) => setTimeout(r, 10));
        await driveInteraction('embedded', `${issuer}/protocol/aauth/interact`, code, USER, 'approve');
      })();
    },
  });
  const res = await client.fetch(`${r1.id}/plan`);
  await decided;
  expect(res.status).toBe(200);
  expect(events).toContain('poll 202');
  expect(events.filter((e) => e.startsWith('poll')).at(-1)).toBe('poll 200');
});

it('axios: a denied consent rejects with an AxiosError carrying the auth server error', async () => {
  const http = axios.create({ baseURL: r1.id });
  withAAuth(http, {
    session: AgentSession.delegateOf(assistant, { sub: 'assistant-2' }),
    development: true,
    authServers: [issuer],
    minPollIntervalMs: 20,
    onInteraction: async ({ code }) => {
      await driveInteraction('embedded', `${issuer}/protocol/aauth/interact`, code, USER, 'deny');
    },
  });
  const err = await http.get('/plan').catch((e: unknown) => e);
  expect(axios.isAxiosError(err)).toBe(true);
  expect(err).toMatchObject({ code: 'denied', response: { status: 401 }, cause: { name: 'PendingDeniedError', serverError: 'denied', status: 403 } });
});
