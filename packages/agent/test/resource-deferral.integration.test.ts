/**
 * A `202` from a resource (2026-03 §Deferred Responses: "Agents MUST handle 202 responses
 * regardless of the nature of the original request"; §Resource Interaction) and the resource
 * token endpoint (§Resource Token Endpoint), against real parts on loopback: resources built with
 * the resource middleware (`aauth()`, `res.aauthDefer()`), the embedded auth server where tokens
 * are needed, and a raw server for hostile answers. The fetch wrapper and the axios interceptor
 * both poll the pending URL and hand back the final response as if the request had answered it.
 */
import axios, { AxiosError } from 'axios';
import express from 'express';
import { MalformedError, PROFILE, generateSigningKey } from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession, PendingTimeoutError, withAAuth, type AAuthEvent } from '@aauth-ts/agent';
import { aauth, aauthErrorHandler, type AAuthMiddleware, type AAuthRequest, type Deferral } from '@aauth-ts/resource';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { listen, type Listening } from './support/http.js';

interface Host extends Listening { readonly id: string }

async function host(): Promise<Host> {
  const listening = await listen();
  return { ...listening, id: `http://127.0.0.1:${listening.port}` };
}

let authServer: AuthServer;
let issuer: string;
let resourceHost: Host;
let hostileHost: Host;
let rawHost: Host;
let rawPolls = 0;
let agentHost: Host;
let agent: AgentServer;
let guard: AAuthMiddleware;
const deferrals: Deferral[] = [];
/** Set per test: what the next deferral does once the agent has seen it pending. */
let onPending: (deferral: Deferral) => void = () => undefined;

beforeAll(async () => {
  [resourceHost, hostileHost, agentHost, rawHost] = await Promise.all([host(), host(), host(), host()]);
  authServer = createAuthServer({
    log: () => undefined,
    realm: {
      realm: 'deferral',
      attributes: { 'aauth.allowLoopback': 'true' },
      clientScopes: [{ name: 'report:read', description: 'Read reports', attributes: { 'aauth.resource': resourceHost.id } }],
      clients: [
        { clientId: agentHost.id, name: 'Reporter', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['report:read'] },
        { clientId: resourceHost.id, name: 'Reports', attributes: { 'aauth.resource': 'true' } },
      ],
    },
  });
  ({ issuer } = await authServer.listen(0));

  guard = aauth({
    resource: resourceHost.id, signingKey: generateSigningKey(), authServer: issuer, development: true,
    scopeDescriptions: { 'report:read': 'Read reports' },
    resourceTokenEndpoint: '/aauth/resource-token',
    interactionEndpoint: `${resourceHost.id}/interact`,
  });
  const app = express();
  app.use(guard);
  const defer = (interaction: boolean): express.RequestHandler => (_req, res) => {
    const deferral = res.aauthDefer({ interaction, retryAfter: 0 });
    deferrals.push(deferral);
    onPending(deferral);
  };
  app.get('/report', guard.requireIdentity(), defer(false));
  app.post('/report', guard.requireIdentity(), defer(false));
  app.get('/consented', guard.requireIdentity(), defer(true));
  app.get('/secure-report', guard.requireAuth({ scope: 'report:read' }), defer(false));
  app.get('/secure', guard.requireAuth({ scope: 'report:read' }), (req, res) => {
    res.json({ sub: (req as AAuthRequest).aauth.sub ?? null, scopes: (req as AAuthRequest).aauth.scopes });
  });
  app.get('/interact', (req, res) => {
    const deferral = guard.resource.deferrals.byCode(String(req.query.code));
    if (deferral === undefined) return void res.status(404).send('unknown code');
    deferral.complete({ body: { approved: true } });
    res.send('You may close this window.');
  });
  app.use(aauthErrorHandler());
  resourceHost.server.on('request', app);

  // Answers every request with a 202 whose Location is on another origin.
  hostileHost.server.on('request', (_req, res) => {
    res.writeHead(202, { [PROFILE.headers.location]: `${resourceHost.id}/steal`, [PROFILE.headers.retryAfter]: '0', [PROFILE.headers.contentType]: 'application/json' });
    res.end(JSON.stringify({ status: 'pending', location: `${resourceHost.id}/steal` }));
  });

  // A resource that defers, is briefly unavailable while polled (503 + Retry-After), then answers;
  // and one that answers 202 without Location.
  rawHost.server.on('request', (req, res) => {
    const json = { [PROFILE.headers.contentType]: 'application/json' };
    if (req.url === '/plain') {
      res.writeHead(202, json);
      res.end(JSON.stringify({ accepted: true }));
    } else if (req.url === '/start') {
      res.writeHead(202, { ...json, [PROFILE.headers.location]: '/poll/1', [PROFILE.headers.retryAfter]: '0' });
      res.end(JSON.stringify({ status: 'pending', location: '/poll/1' }));
    } else {
      rawPolls += 1;
      res.writeHead(rawPolls === 1 ? 503 : 200, { ...json, [PROFILE.headers.retryAfter]: '0' });
      res.end(JSON.stringify(rawPolls === 1 ? { error: 'temporarily_unavailable', error_description: 'busy' } : { done: true }));
    }
  });

  agent = new AgentServer({ identifier: agentHost.id, development: true });
  agentHost.server.on('request', agent.router());
});

afterAll(async () => {
  await authServer.close();
  await Promise.all([resourceHost, hostileHost, agentHost, rawHost].map((h) => h.close()));
});

beforeEach(() => {
  onPending = () => undefined;
});

function newClient(extra: Partial<ConstructorParameters<typeof AAuthClient>[0]> = {}): { client: AAuthClient; events: AAuthEvent[] } {
  const events: AAuthEvent[] = [];
  const client = new AAuthClient({
    session: AgentSession.delegateOf(agent, { sub: 'reporter-1' }), development: true, authServers: [issuer], minPollIntervalMs: 10,
    onEvent: (e) => events.push(e), ...extra,
  });
  return { client, events };
}

/** Complete the deferral once the agent has polled it and seen it still pending. */
function completeAfterFirstPoll(events: AAuthEvent[], final: Parameters<Deferral['complete']>[0]): void {
  onPending = (deferral) => {
    void (async () => {
      while (!events.some((e) => e.type === 'poll' && e.status === 202)) await new Promise((r) => setTimeout(r, 5));
      deferral.complete(final);
    })();
  };
}

describe('fetch: a 202 from a resource', () => {
  it('polls the pending URL with the same key and returns the final response as if the request had answered it', async () => {
    const { client, events } = newClient({ preferWaitSeconds: 0 });
    completeAfterFirstPoll(events, { status: 200, headers: { 'x-report': 'r-7' }, body: { report: 'ready' } });
    const res = await client.fetch(`${resourceHost.id}/report`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-report')).toBe('r-7');
    expect(await res.json()).toEqual({ report: 'ready' });
    const polls = events.filter((e): e is Extract<AAuthEvent, { type: 'poll' }> => e.type === 'poll');
    expect(polls.map((p) => p.status)).toEqual([202, 200]);
    expect(new URL(polls[0]?.location ?? '').origin).toBe(resourceHost.id);
    expect(events.some((e) => e.type === 'interaction')).toBe(false);
  });

  it('a POST that is deferred is polled with GET, the body not resent', async () => {
    const { client, events } = newClient({ preferWaitSeconds: 0 });
    completeAfterFirstPoll(events, { status: 201, body: { created: 'order-1' } });
    const res = await client.fetch(`${resourceHost.id}/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q":1}' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ created: 'order-1' });
    const signed = events.filter((e) => e.type === 'request.signed');
    expect(signed).toHaveLength(1);
  });

  it('a held poll (Prefer: wait) is answered as soon as the app completes', async () => {
    const { client } = newClient({ preferWaitSeconds: 5 });
    onPending = (deferral) => { setTimeout(() => deferral.complete({ body: { late: true } }), 20); };
    const res = await client.fetch(`${resourceHost.id}/report`);
    expect(await res.json()).toEqual({ late: true });
  });

  it('require=interaction: the user is sent to the resource interaction_endpoint through onInteraction, then the final response', async () => {
    const seen: string[] = [];
    const { client, events } = newClient({
      preferWaitSeconds: 0,
      onInteraction: async ({ url }) => {
        seen.push(url);
        await fetch(url);
      },
    });
    const res = await client.fetch(`${resourceHost.id}/consented`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ approved: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(new RegExp(`^${resourceHost.id}/interact\\?code=[A-Z0-9]{8}$`));
    expect(events.find((e) => e.type === 'pending')).toMatchObject({ require: 'interaction' });
  });

  it('after the auth-token challenge: challenge → exchange → retry → 202 → poll → final', async () => {
    const { client, events } = newClient({ preferWaitSeconds: 0 });
    completeAfterFirstPoll(events, { body: { secure: 'report' } });
    const res = await client.fetch(`${resourceHost.id}/secure-report`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ secure: 'report' });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['challenge', 'token.issued', 'retry', 'pending', 'poll']));
  });

  it('a terminal refusal of the deferral is the response (403 denied)', async () => {
    const { client } = newClient({ preferWaitSeconds: 0 });
    onPending = (deferral) => { deferral.deny('the report owner declined'); };
    const res = await client.fetch(`${resourceHost.id}/report`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'denied' });
  });

  it('a pending Location on another origin is refused, never polled', async () => {
    const { client, events } = newClient();
    await expect(client.fetch(`${hostileHost.id}/x`)).rejects.toMatchObject({ name: 'MalformedError', detail: { field: 'location', reason: 'origin_mismatch' } });
    await expect(client.fetch(`${hostileHost.id}/x`)).rejects.toBeInstanceOf(MalformedError);
    expect(events.some((e) => e.type === 'poll')).toBe(false);
  });

  it('the wait is bounded: pendingTimeoutMs ends it with PendingTimeoutError', async () => {
    const { client } = newClient({ preferWaitSeconds: 0, pendingTimeoutMs: 200 });
    await expect(client.fetch(`${resourceHost.id}/report`)).rejects.toBeInstanceOf(PendingTimeoutError);
  });

  it('the wait is bounded: the caller abort signal ends it', async () => {
    const { client, events } = newClient({ preferWaitSeconds: 0 });
    const controller = new AbortController();
    onPending = () => {
      void (async () => {
        while (!events.some((e) => e.type === 'poll')) await new Promise((r) => setTimeout(r, 5));
        controller.abort(new Error('caller gave up'));
      })();
    };
    await expect(client.fetch(`${resourceHost.id}/report`, { signal: controller.signal })).rejects.toThrow('caller gave up');
  });

  it('a 503 while polling is not terminal: back off (Retry-After) and poll again (§Transient Non-Terminal Responses)', async () => {
    const { client, events } = newClient({ preferWaitSeconds: 0 });
    const res = await client.fetch(`${rawHost.id}/start`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    expect(events.filter((e) => e.type === 'poll').map((e) => (e as { status: number }).status)).toEqual([503, 200]);
  });

  it('a 202 without Location is no deferral anyone could poll: it goes to the caller as it is', async () => {
    const { client, events } = newClient();
    const res = await client.fetch(`${rawHost.id}/plain`);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true });
    expect(events.some((e) => e.type === 'pending')).toBe(false);
  });

  it('aauth.noPoll hands the 202 back to the caller', async () => {
    const { client } = newClient();
    const res = await client.fetch(`${resourceHost.id}/report`, { aauth: { noPoll: true } });
    expect(res.status).toBe(202);
    expect(res.headers.get(PROFILE.headers.location)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });
});

describe('axios: a 202 from a resource', () => {
  it('polls and resolves with the final response as an axios response', async () => {
    const { client, events } = newClient({ preferWaitSeconds: 0 });
    const http = axios.create({ baseURL: resourceHost.id });
    withAAuth(http, { client });
    completeAfterFirstPoll(events, { status: 200, headers: { 'x-report': 'r-9' }, body: { report: 'axios' } });
    const res = await http.get('/report');
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ report: 'axios' });
    expect(res.headers['x-report']).toBe('r-9');
    expect(events.filter((e) => e.type === 'poll').map((e) => (e as { status: number }).status)).toEqual([202, 200]);
  });

  it('a final error status rejects as axios would have (AxiosError with the response)', async () => {
    const { client } = newClient({ preferWaitSeconds: 0 });
    const http = axios.create({ baseURL: resourceHost.id });
    withAAuth(http, { client });
    onPending = (deferral) => { deferral.deny('no'); };
    const err = await http.get('/report').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AxiosError);
    expect((err as AxiosError).response).toMatchObject({ status: 403, data: { error: 'denied' } });
  });

  it('interaction through the same onInteraction hook', async () => {
    const http = axios.create({ baseURL: resourceHost.id });
    const { client } = newClient({ preferWaitSeconds: 0, onInteraction: async ({ url }) => { await fetch(url); } });
    withAAuth(http, { client });
    const res = await http.get('/consented');
    expect(res.data).toEqual({ approved: true });
  });
});

describe('the resource token endpoint from the agent (§Resource Token Endpoint)', () => {
  it('preauthorize obtains a resource token from the advertised endpoint and an auth token before the first call: no 401 is ever seen', async () => {
    const { client, events } = newClient();
    const token = await client.preauthorize(`${resourceHost.id}/secure`, 'report:read');
    expect(typeof token).toBe('string');
    const res = await client.fetch(`${resourceHost.id}/secure`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: null, scopes: ['report:read'] });
    expect(events.filter((e) => e.type === 'response').map((e) => (e as { status: number }).status)).toEqual([200]);
    // The resource token from the endpoint is verified and shown like one from a challenge.
    expect(events.filter((e) => e.type === 'challenge')).toHaveLength(1);
    expect(events.findIndex((e) => e.type === 'token.issued')).toBeLessThan(events.findIndex((e) => e.type === 'request.signed'));
  });

  it('a resource that advertises no resource_token_endpoint is a typed error', async () => {
    const { client } = newClient();
    await expect(client.preauthorize(`${agentHost.id}/x`, 'report:read')).rejects.toMatchObject({ code: expect.any(String) });
  });
});
