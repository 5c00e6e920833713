/**
 * Call chaining (2026-03 §Call Chaining; wire notes §6.1): resource R1, serving a request that
 * carried an auth token, calls R2 as an agent and presents that token as `upstream_token`. The
 * downstream token names R1 as `agent`, R2 as `aud`, and carries the user's `sub` over. Upstream
 * tokens are per call (bound client or per-request option), never global: concurrent requests of
 * two users stay apart.
 */
import axios, { type AxiosInstance } from 'axios';
import { AAuthClient, AgentServer, AgentSession, withAAuth } from '@aauth-ts/agent';
import { startTestAuthServer, type TestAuthServer } from './support/auth-server.js';
import { startTestResource, type AAuthTestRequest, type TestResource } from './support/resource.js';
import { startAgentHost, type AgentHost } from './support/agent-host.js';

let as: TestAuthServer;
let r1: TestResource;
let r2: TestResource;
let agent: AgentHost;
let r1Agent: AgentServer;
let r1Client: AAuthClient;
let r1Axios: AxiosInstance;

beforeAll(async () => {
  as = await startTestAuthServer({ consentRequired: true });
  r2 = await startTestResource({ authServer: as.issuer, scope: 'calendar.read' });
  r1 = await startTestResource({
    authServer: as.issuer,
    scope: 'assistant',
    // R1 is also an agent: it publishes aauth-agent.json at its own identifier.
    publicRoutes: (identifier) => {
      r1Agent = new AgentServer({ identifier, development: true, jwksPath: '/.well-known/agent-jwks.json' });
      r1Client = new AAuthClient({ session: AgentSession.delegateOf(r1Agent, { sub: 'r1-worker' }), development: true, authServers: [as.issuer] });
      r1Axios = axios.create();
      withAAuth(r1Axios, { client: r1Client });
      return r1Agent.router();
    },
    // The ergonomic form from inside an express handler: a client bound to this request's token.
    handler: async (req: AAuthTestRequest, res) => {
      const target = `${r2.identifier}/calendar`;
      if (req.path === '/via-axios') {
        const downstream = await r1Axios.get<unknown>(target, { aauth: { upstreamToken: req.aauth.authToken } });
        res.status(downstream.status).json(downstream.data);
        return;
      }
      const downstream = req.path === '/via-option'
        ? await r1Client.fetch(target, { aauth: { upstreamToken: req.aauth.authToken } })
        : await r1Client.forUpstream(req.aauth.authToken).fetch(target);
      res.status(downstream.status).json(await downstream.json());
    },
  });
  agent = await startAgentHost();
});

afterAll(async () => {
  await r1.close();
  await r2.close();
  await agent.close();
  await as.close();
});

/** An end-user agent whose first request is approved by `user` on the consent page. */
function userClient(user: string): AAuthClient {
  return new AAuthClient({
    session: AgentSession.delegateOf(agent.agentServer, { sub: `${user}-laptop` }),
    development: true,
    authServers: [as.issuer],
    minPollIntervalMs: 10,
    onInteraction: ({ code }) => as.approve(code, user),
  });
}

interface Echo { agent: string; sub: string | null; scope: string }

it('R1 presents its upstream token; the downstream token names R1 as agent and carries the user', async () => {
  const alice = userClient('alice');
  const before = as.count('chained');
  const response = await alice.fetch(`${r1.identifier}/bound`);
  expect(response.status).toBe(200);
  expect((await response.json()) as Echo).toEqual(expect.objectContaining({ agent: r1.identifier, sub: 'alice', scope: 'calendar.read' }));
  expect(as.count('chained')).toBe(before + 1);
  const chained = as.tokenRequests.filter((r) => r.mode === 'chained').at(-1);
  expect(chained?.agentId).toBe(r1.identifier);
  expect(Object.keys(chained?.body ?? {}).sort()).toEqual(['resource_token', 'upstream_token']);
});

it('the per-call option (fetch init and axios config) works the same way', async () => {
  const bob = userClient('bob');
  for (const path of ['/via-option', '/via-axios']) {
    const response = await bob.fetch(`${r1.identifier}${path}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as Echo).sub).toBe('bob');
  }
});

it('concurrent requests of different users never share upstream state or downstream tokens', async () => {
  const users = ['carol', 'dave', 'erin'];
  const clients = users.map(userClient);
  // Warm up: each user consents once.
  for (const c of clients) expect((await c.fetch(`${r1.identifier}/bound`)).status).toBe(200);
  const chainedBefore = as.count('chained');
  const rounds = await Promise.all(Array.from({ length: 30 }, async (_, i) => {
    const user = users[i % users.length] as string;
    const path = ['/bound', '/via-option', '/via-axios'][i % 3] as string;
    const response = await (clients[i % users.length] as AAuthClient).fetch(`${r1.identifier}${path}`);
    return { user, echo: (await response.json()) as Echo };
  }));
  for (const { user, echo } of rounds) expect(echo.sub).toBe(user);
  // Each user's first chained token is cached per upstream token; a warm round makes no new exchange.
  expect(as.count('chained')).toBe(chainedBefore);
});
