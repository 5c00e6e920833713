/**
 * The fetch wrapper against a real (test) auth server and real (test) resources on loopback:
 * challenge → exchange → retry, cache reuse, body signing, single flight, 202 consent, denial,
 * refresh, and the guard rails (resource-token checks, second 401, auth-server substitution).
 */
import { MalformedError, ResponseError, TokenError, createResourceToken, generateSigningKey, serializeChallenge, PROFILE } from '@aauth-ts/core';
import axios from 'axios';
import { AAuthClient, AgentSession, withAAuth, type AAuthEvent } from '@aauth-ts/agent';
import { startTestAuthServer, type TestAuthServer } from './support/auth-server.js';
import { startTestResource, type TestResource } from './support/resource.js';
import { startAgentHost, type AgentHost } from './support/agent-host.js';
import { listen, type Listening } from './support/http.js';

let as: TestAuthServer;
let resource: TestResource;
let agent: AgentHost;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  as = await startTestAuthServer();
  resource = await startTestResource({ authServer: as.issuer, scope: 'inventory:read' });
  agent = await startAgentHost();
  closers.push(() => as.close(), () => resource.close(), () => agent.close());
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

function newClient(extra: Partial<ConstructorParameters<typeof AAuthClient>[0]> = {}, sub = 'delegate-1'): { client: AAuthClient; events: AAuthEvent[] } {
  const events: AAuthEvent[] = [];
  const session = AgentSession.delegateOf(agent.agentServer, { sub });
  const client = new AAuthClient({ session, development: true, authServers: [as.issuer], onEvent: (e) => events.push(e), minPollIntervalMs: 10, ...extra });
  return { client, events };
}

describe('challenge → exchange → retry', () => {
  it('answers a 401 challenge, exchanges once, retries with the auth token', async () => {
    const { client, events } = newClient();
    const before = as.count('resource');
    const response = await client.fetch(`${resource.identifier}/items?limit=2`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { agent: string; scope: string; path: string };
    expect(body).toMatchObject({ agent: agent.agentServer.identifier, scope: 'inventory:read', path: '/items' });
    expect(as.count('resource')).toBe(before + 1);
    const types = events.map((e) => e.type);
    expect(types).toEqual(['request.signed', 'response', 'challenge', 'token.request', 'token.response', 'token.issued', 'retry', 'request.signed', 'response']);
    const [first, , , , , issued, , second] = events;
    expect(first).toMatchObject({ type: 'request.signed', scheme: 'jwt', attempt: 1 });
    expect(second).toMatchObject({ type: 'request.signed', scheme: 'jwt', attempt: 2 });
    expect(issued).toMatchObject({ type: 'token.issued', authServer: as.issuer, resource: resource.identifier });
    // The retry carries the auth token, not the agent token, and a signature of its own.
    expect((second as { token?: string }).token).toBe((issued as { authToken: string }).authToken);
    expect((second as { headers: Record<string, string> }).headers['signature-key']).toContain((issued as { authToken: string }).authToken);
  });

  it('reuses the cached token: no second challenge, no second exchange', async () => {
    const { client } = newClient();
    await (await client.fetch(`${resource.identifier}/a`)).json();
    const challenges = resource.stats.challenges;
    const exchanges = as.tokenRequests.length;
    const again = await client.fetch(`${resource.identifier}/b`);
    expect(again.status).toBe(200);
    expect(resource.stats.challenges).toBe(challenges);
    expect(as.tokenRequests.length).toBe(exchanges);
  });

  it('signs the exact body bytes (content-type + content-digest) and replays them on the retry', async () => {
    const { client, events } = newClient();
    const payload = JSON.stringify({ sku: 'A-1', qty: 3, note: 'ünïcødé' });
    const response = await client.fetch(`${resource.identifier}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { body: string }).body).toBe(payload);
    const signed = events.filter((e): e is Extract<AAuthEvent, { type: 'request.signed' }> => e.type === 'request.signed');
    expect(signed).toHaveLength(2);
    for (const e of signed) {
      expect(e.headers['signature-input']).toContain('"content-type" "content-digest"');
      expect(e.headers['content-digest']).toMatch(/^sha-256=:/);
    }
    // Each send is signed afresh (new Signature, same digest).
    expect(signed[0]?.headers.signature).not.toBe(signed[1]?.headers.signature);
    expect(signed[0]?.headers['content-digest']).toBe(signed[1]?.headers['content-digest']);
  });

  it('100 concurrent first calls to a new resource cause exactly one exchange', async () => {
    const fresh = await startTestResource({ authServer: as.issuer, scope: 'bulk' });
    closers.push(() => fresh.close());
    const { client } = newClient();
    const before = as.tokenRequests.length;
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => client.fetch(`${fresh.identifier}/n/${i}`)));
    expect(responses.map((r) => r.status)).toEqual(new Array(100).fill(200));
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const exchanges = as.tokenRequests.slice(before);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.status).toBe(200);
    expect(fresh.stats.served).toBe(100);
  });

  it('a 401 on the retried request goes to the caller, never to a second exchange', async () => {
    // This resource challenges again even after it accepted the auth token.
    const picky = await startTestResource({ authServer: as.issuer, scope: 'x', handler: (_req, res) => { res.status(401).set(PROFILE.headers.challenge, serializeChallenge({ require: 'auth-token', resourceToken: 'x', authServer: as.issuer })).json({ error: 'invalid_auth_token', error_description: 'no' }); } });
    closers.push(() => picky.close());
    const { client } = newClient();
    const before = as.tokenRequests.length;
    const response = await client.fetch(`${picky.identifier}/p`);
    expect(response.status).toBe(401);
    expect(as.tokenRequests.length).toBe(before + 1);
  });
});

describe('resource token checks at the agent', () => {
  let fake: Listening;
  let fakeId: string;
  let mode: 'foreign-token' | 'other-auth-server' | 'garbage' = 'foreign-token';

  beforeAll(async () => {
    fake = await listen();
    fakeId = `http://127.0.0.1:${fake.port}`;
    closers.push(() => fake.close());
    fake.server.on('request', (_req, res) => {
      void (async () => {
        let header: string;
        if (mode === 'garbage') header = 'require=auth-token; resource-token=';
        else if (mode === 'foreign-token') {
          // A genuine resource token, but from another resource: replayed at us by a man in the middle.
          header = serializeChallenge({ require: 'auth-token', resourceToken: resource.challengeTokens[0] as string, authServer: as.issuer });
        } else {
          const key = generateSigningKey();
          const rt = await createResourceToken(key, { iss: fakeId, aud: as.issuer, agent: agent.agentServer.identifier, agentJkt: 'x' });
          header = serializeChallenge({ require: 'auth-token', resourceToken: rt, authServer: 'http://127.0.0.1:9/realms/evil' });
        }
        res.writeHead(401, { [PROFILE.headers.challenge]: header, 'content-type': 'application/json' });
        res.end('{"error":"invalid_request","error_description":"auth token required"}');
      })();
    });
  });

  it('refuses a resource token issued by another resource (no token request is sent)', async () => {
    mode = 'foreign-token';
    const { client } = newClient();
    const before = as.tokenRequests.length;
    await expect(client.fetch(`${fakeId}/x`)).rejects.toMatchObject({ name: 'TokenError', code: 'invalid_resource_token', detail: { field: 'iss', reason: 'mismatch' } });
    expect(as.tokenRequests.length).toBe(before);
  });

  it('refuses a challenge whose auth-server differs from the resource token audience', async () => {
    mode = 'other-auth-server';
    const { client } = newClient();
    const err = await client.fetch(`${fakeId}/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('invalid_resource_token');
  });

  it('a malformed AAuth header is a MalformedError', async () => {
    mode = 'garbage';
    const { client } = newClient();
    await expect(client.fetch(`${fakeId}/x`)).rejects.toBeInstanceOf(MalformedError);
  });
});

describe('202: consent, interaction, denial', () => {
  afterEach(() => {
    as.consentRequired = false;
  });

  it('202 → onInteraction → approve → token with the user as sub', async () => {
    as.consentRequired = true;
    const interactions: Array<{ url: string; code: string }> = [];
    const { client, events } = newClient({
      onInteraction: async (interaction) => {
        interactions.push(interaction);
        // The user opens the consent page, then approves there.
        const page = await fetch(interaction.url);
        expect(page.status).toBe(200);
        await page.text();
        as.approve(interaction.code, 'alice');
      },
    });
    const response = await client.fetch(`${resource.identifier}/consented`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { sub: string }).sub).toBe('alice');
    expect(interactions).toHaveLength(1);
    expect(interactions[0]?.url).toBe(`${as.issuer.replace('/realms/test', '')}/realms/test/protocol/aauth/interact?code=${interactions[0]?.code}`);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['pending', 'interaction', 'poll', 'token.issued']));
  });

  it('interactionCallback adds the agent\'s callback to the interaction URL (fixed, or made per code)', async () => {
    as.consentRequired = true;
    const urls: URL[] = [];
    const onInteraction = (interaction: { url: string; code: string }): void => {
      urls.push(new URL(interaction.url));
      as.approve(interaction.code, 'carol');
    };
    const fixed = newClient({ interactionCallback: 'http://127.0.0.1:53124/done', onInteraction });
    expect((await fixed.client.fetch(`${resource.identifier}/consented`)).status).toBe(200);
    const perCode = newClient({ interactionCallback: (code) => `https://agent.example/cb?state=s-${code}`, onInteraction });
    expect((await perCode.client.fetch(`${resource.identifier}/consented`)).status).toBe(200);

    expect(urls).toHaveLength(2);
    const [first, second] = urls;
    expect(first?.searchParams.get('callback')).toBe('http://127.0.0.1:53124/done');
    expect(second?.searchParams.get('callback')).toBe(`https://agent.example/cb?state=s-${second?.searchParams.get('code') ?? ''}`);
    expect(second?.searchParams.get('code')).toMatch(/^[A-Z0-9]{8}$/);
  });

  it('the user decides later: polls see 202 (pending, then interacting) before the token', async () => {
    as.consentRequired = true;
    let decided: Promise<void> = Promise.resolve();
    const { client } = newClient({
      preferWaitSeconds: 0,
      onInteraction: (interaction) => {
        // Not awaited: the agent keeps polling while the user takes their time.
        decided = (async () => {
          while (as.polls.length === 0) await new Promise((r) => setTimeout(r, 10));
          await (await fetch(interaction.url)).text();
          while (!as.polls.slice(-1).includes(202)) await new Promise((r) => setTimeout(r, 10));
          as.approve(interaction.code, 'frank');
        })();
      },
    });
    const pollsBefore = as.polls.length;
    const response = await client.fetch(`${resource.identifier}/later`);
    await decided;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { sub: string }).sub).toBe('frank');
    const polls = as.polls.slice(pollsBefore);
    expect(polls.at(-1)).toBe(200);
    expect(polls.filter((s) => s === 202).length).toBeGreaterThanOrEqual(1);
  });

  it('denial rejects with the server error code (ResponseError "denied", 403)', async () => {
    as.consentRequired = true;
    const { client } = newClient({ onInteraction: ({ code }) => as.deny(code) });
    const err = await client.fetch(`${resource.identifier}/denied`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ code: 'denied', serverError: 'denied', status: 403 });
  });

  it('a pending request the server expires ends in PendingExpiredError "expired" (408), a ResponseError', async () => {
    const shortAs = await startTestAuthServer({ consentRequired: true, pendingLifespanSeconds: -1 });
    const r = await startTestResource({ authServer: shortAs.issuer });
    closers.push(() => shortAs.close(), () => r.close());
    const client = new AAuthClient({ session: AgentSession.delegateOf(agent.agentServer, { sub: 'e' }), development: true, authServers: [shortAs.issuer], minPollIntervalMs: 10 });
    await expect(client.fetch(`${r.identifier}/late`)).rejects.toMatchObject({ name: 'PendingExpiredError', code: 'expired', status: 408 });
    expect(shortAs.polls).toEqual([408]);
  });

  it('the overall pending deadline is a typed error, and the caller can abort earlier', async () => {
    as.consentRequired = true;
    const slow = newClient({ pendingTimeoutMs: 300, preferWaitSeconds: 0 });
    await expect(slow.client.fetch(`${resource.identifier}/slow`)).rejects.toMatchObject({ name: 'PendingTimeoutError', code: 'expired' });
    const controller = new AbortController();
    const aborted = newClient({ onInteraction: () => controller.abort(new Error('user went away')) });
    await expect(aborted.client.fetch(`${resource.identifier}/abort`, { signal: controller.signal })).rejects.toThrow('user went away');
  });
});

describe('expiry and refresh', () => {
  it('by default a live cached token is used as it is, even close to exp: no early refresh', async () => {
    let clock = Math.floor(Date.now() / 1000);
    const { client } = newClient({ now: () => clock });
    await (await client.fetch(`${resource.identifier}/r0`)).arrayBuffer();
    const requests = as.tokenRequests.length;
    clock += 299; // 300 s tokens: one second left
    expect((await client.fetch(`${resource.identifier}/r0`)).status).toBe(200);
    expect(as.tokenRequests.length).toBe(requests);
  });

  it('refreshes an expired cached token the draft\'s way: presents the expired auth token, which a server refreshing only expired tokens accepts', async () => {
    const strictAs = await startTestAuthServer({ earlyRefresh: false, tokenLifetimeSeconds: 1 });
    const r = await startTestResource({ authServer: strictAs.issuer });
    closers.push(() => strictAs.close(), () => r.close());
    const events: AAuthEvent[] = [];
    const session = AgentSession.delegateOf(agent.agentServer, { sub: 'expiring' });
    const client = new AAuthClient({ session, development: true, authServers: [strictAs.issuer], onEvent: (e) => events.push(e) });
    await (await client.fetch(`${r.identifier}/a`)).arrayBuffer();
    const first = events.find((e): e is Extract<AAuthEvent, { type: 'token.issued' }> => e.type === 'token.issued');
    const exp = first?.claims.exp as number;
    // Tokens live 1 s: wait (at most ~2 s, polling the clock) until the cached one has expired.
    while (Math.floor(Date.now() / 1000) < exp) await new Promise((resolve) => setTimeout(resolve, 100));
    const response = await client.fetch(`${r.identifier}/b`);
    expect(response.status).toBe(200);
    expect(strictAs.tokenRequests.map((t) => [t.mode, t.status])).toEqual([['resource', 200], ['refresh', 200]]);
    expect(strictAs.tokenRequests[1]?.body).toEqual({ auth_token: first?.authToken });
    expect(r.stats.challenges).toBe(1);
  });

  it('early refresh when configured (earlyRefreshSeconds): a token about to expire is refreshed by presenting it, then the new one is used', async () => {
    let clock = Math.floor(Date.now() / 1000);
    const { client, events } = newClient({ now: () => clock, earlyRefreshSeconds: 30 });
    await (await client.fetch(`${resource.identifier}/r1`)).arrayBuffer();
    const firstToken = events.find((e): e is Extract<AAuthEvent, { type: 'token.issued' }> => e.type === 'token.issued')?.authToken;
    const refreshes = as.count('refresh');
    clock += 280; // 300 s tokens, renewed 30 s before expiry
    const response = await client.fetch(`${resource.identifier}/r2`);
    expect(response.status).toBe(200);
    expect(as.count('refresh')).toBe(refreshes + 1);
    const refreshRequest = as.tokenRequests.filter((r) => r.mode === 'refresh').at(-1);
    expect(refreshRequest?.body).toEqual({ auth_token: firstToken });
    const issued = events.filter((e): e is Extract<AAuthEvent, { type: 'token.issued' }> => e.type === 'token.issued');
    expect(issued.map((e) => e.mode)).toEqual(['resource', 'refresh']);
    expect(issued[1]?.authToken).not.toBe(firstToken);
  });

  it('a refused refresh drops the token and falls back to a new challenge and exchange', async () => {
    const strictAs = await startTestAuthServer({ refreshWindowSeconds: -10_000 });
    const r = await startTestResource({ authServer: strictAs.issuer });
    closers.push(() => strictAs.close(), () => r.close());
    let clock = Math.floor(Date.now() / 1000);
    const session = AgentSession.delegateOf(agent.agentServer, { sub: 'd' });
    const client = new AAuthClient({ session, development: true, authServers: [strictAs.issuer], now: () => clock });
    await (await client.fetch(`${r.identifier}/a`)).arrayBuffer();
    clock += 301;
    const response = await client.fetch(`${r.identifier}/b`);
    expect(response.status).toBe(200);
    expect(strictAs.tokenRequests.map((t) => [t.mode, t.status])).toEqual([['resource', 200], ['refresh', 400], ['resource', 200]]);
  });
});

describe('identity schemes and development names', () => {
  it('an agent server can sign as itself with the jwks_uri scheme', async () => {
    const events: AAuthEvent[] = [];
    const client = new AAuthClient({ session: AgentSession.asAgentServer(agent.agentServer), development: true, authServers: [as.issuer], onEvent: (e) => events.push(e) });
    const response = await client.fetch(`${resource.identifier}/self`);
    expect(response.status).toBe(200);
    expect(events[0]).toMatchObject({ type: 'request.signed', scheme: 'jwks_uri' });
  });

  it('*.localhost names: connections go to 127.0.0.1, Host and @authority keep the name', async () => {
    const lAs = await startTestAuthServer({ hostname: 'auth.localhost' });
    const lRes = await startTestResource({ authServer: lAs.issuer, hostname: 'shop.localhost' });
    const lAgent = await startAgentHost({ hostname: 'agent.localhost' });
    closers.push(() => lAs.close(), () => lRes.close(), () => lAgent.close());
    const client = new AAuthClient({ session: AgentSession.delegateOf(lAgent.agentServer, { sub: 'x' }), development: true, authServers: [lAs.issuer] });
    expect(lRes.identifier).toMatch(/^http:\/\/shop\.localhost:\d+$/);
    const response = await client.fetch(`${lRes.identifier}/named`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { agent: string }).agent).toBe(lAgent.agentServer.identifier);
    // axios takes the same route (a `lookup` for the name), sharing the client's cached token.
    const http = axios.create();
    withAAuth(http, { client });
    const viaAxios = await http.post<{ body: string }>(`${lRes.identifier}/named`, { via: 'axios' });
    expect(JSON.parse(viaAxios.data.body)).toEqual({ via: 'axios' });
  });

  it('without development mode, loopback http identifiers are refused', async () => {
    const session = AgentSession.delegateOf(agent.agentServer, { sub: 'p' });
    const client = new AAuthClient({ session, authServers: [as.issuer] });
    await expect(client.fetch(`${resource.identifier}/prod`)).rejects.toMatchObject({ code: 'invalid_resource_token' });
  });
});
