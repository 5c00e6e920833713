/**
 * The axios interceptor against the test auth server and resource on loopback: the same protocol
 * behaviour as the fetch wrapper, plus axios specifics — body serialized by the interceptor,
 * params signed as `@query`, the replay marked `retried`, opt-out, and `detach()`.
 */
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { PROFILE, ResponseError, serializeChallenge } from '@aauth-ts/core';
import { AAuthClient, AgentSession, withAAuth, type AAuthEvent } from '@aauth-ts/agent';
import { startTestAuthServer, type TestAuthServer } from './support/auth-server.js';
import { startTestResource, type TestResource } from './support/resource.js';
import { startAgentHost, type AgentHost } from './support/agent-host.js';

let as: TestAuthServer;
let resource: TestResource;
let agent: AgentHost;

beforeAll(async () => {
  as = await startTestAuthServer();
  resource = await startTestResource({ authServer: as.issuer, scope: 'orders:write' });
  agent = await startAgentHost();
});

afterAll(async () => {
  await resource.close();
  await agent.close();
  await as.close();
});

function setup(extra: { onInteraction?: (i: { url: string; code: string }) => void } = {}): { http: AxiosInstance; events: AAuthEvent[]; detach: () => void } {
  const events: AAuthEvent[] = [];
  const http = axios.create({ baseURL: resource.identifier });
  const { detach } = withAAuth(http, {
    session: AgentSession.delegateOf(agent.agentServer, { sub: 'axios-1' }),
    development: true,
    authServers: [as.issuer],
    minPollIntervalMs: 10,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { http, events, detach };
}

it('challenge → exchange → retry, with params signed as @query', async () => {
  const { http, events } = setup();
  const response = await http.get<{ path: string; agent: string }>('/items', { params: { page: 2, q: 'a b' } });
  expect(response.status).toBe(200);
  expect(response.data).toMatchObject({ path: '/items', agent: agent.agentServer.identifier });
  const signed = events.filter((e): e is Extract<AAuthEvent, { type: 'request.signed' }> => e.type === 'request.signed');
  expect(signed.map((e) => e.attempt)).toEqual([1, 2]);
  expect(signed[0]?.url).toBe(`${resource.identifier}/items?page=2&q=a+b`);
  expect(signed[0]?.headers['signature-input']).toContain('"@query"');
});

it('serializes an object body as JSON itself and digests those bytes', async () => {
  const { http, events } = setup();
  const order = { sku: 'B-7', qty: 1, tags: ['x'] };
  const response = await http.post<{ body: string }>('/orders', order);
  expect(response.status).toBe(200);
  expect(JSON.parse(response.data.body)).toEqual(order);
  const signed = events.filter((e): e is Extract<AAuthEvent, { type: 'request.signed' }> => e.type === 'request.signed');
  expect(signed[0]?.headers['content-type']).toBe('application/json');
  expect(signed[0]?.headers['content-digest']).toBe(signed[1]?.headers['content-digest']);
  expect(signed[0]?.headers.signature).not.toBe(signed[1]?.headers.signature);
});

it('the second 401 (on the replay) reaches the caller as an AxiosError; one exchange only', async () => {
  const picky = await startTestResource({
    authServer: as.issuer,
    handler: (_req, res) => {
      res.status(401).set(PROFILE.headers.challenge, serializeChallenge({ require: 'auth-token', resourceToken: 'x', authServer: as.issuer })).json({ error: 'invalid_auth_token', error_description: 'refused' });
    },
  });
  try {
    const { http } = setup();
    const before = as.tokenRequests.length;
    const err = await http.get(`${picky.identifier}/p`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AxiosError);
    expect((err as AxiosError).response?.status).toBe(401);
    expect((err as AxiosError).config?.aauth?.retried).toBe(true);
    expect(as.tokenRequests.length).toBe(before + 1);
  } finally {
    await picky.close();
  }
});

it('opt-out per request, and detach() removes both interceptors', async () => {
  const { http, detach, events } = setup();
  const optedOut = await http.get('/x', { aauth: { disabled: true }, validateStatus: () => true });
  expect(optedOut.status).toBe(401); // unsigned: the resource refuses it
  expect(events).toHaveLength(0);
  detach();
  const after = await http.get('/x', { validateStatus: () => true });
  expect(after.status).toBe(401);
  expect(events).toHaveLength(0);
});

it('with validateStatus accepting 401, the challenge is still answered', async () => {
  const { http } = setup();
  const response = await http.get('/lenient', { validateStatus: () => true });
  expect(response.status).toBe(200);
});

it('a denied consent rejects with an AxiosError: the 401 as response, ResponseError "denied" as cause', async () => {
  as.consentRequired = true;
  try {
    const { http } = setup({ onInteraction: ({ code }) => as.deny(code) });
    const err = await http.get('/needs-consent').catch((e: unknown) => e);
    expect(axios.isAxiosError(err)).toBe(true);
    expect(err).toBeInstanceOf(AxiosError);
    const axiosError = err as AxiosError;
    expect(axiosError.response?.status).toBe(401);
    expect(axiosError.code).toBe('denied');
    expect(axiosError.config?.url).toContain('/needs-consent');
    expect(axiosError.cause).toBeInstanceOf(ResponseError);
    expect(axiosError.cause).toMatchObject({ code: 'denied', status: 403 });
  } finally {
    as.consentRequired = false;
  }
});

it('the bound client from withAAuth is shared: a fetch after an axios call reuses the token', async () => {
  const http = axios.create();
  const client = new AAuthClient({ session: AgentSession.delegateOf(agent.agentServer, { sub: 'shared' }), development: true, authServers: [as.issuer] });
  withAAuth(http, { client });
  expect((await http.get(`${resource.identifier}/one`)).status).toBe(200);
  const challenges = resource.stats.challenges;
  expect((await client.fetch(`${resource.identifier}/two`)).status).toBe(200);
  expect(resource.stats.challenges).toBe(challenges);
});
