/**
 * The embedded Person Server's call chaining rules the conformance suite cannot reach from outside
 * (docs/person-server-contract.md "Call chaining"): an expired `upstream_token` (an injected clock),
 * an upstream `sub` the server has no record of (a restarted server with the same keys and salt),
 * the intermediary's agent provider with `consentRequired`, the decision line naming the upstream
 * `jti`, and the bounded index of directed subjects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwkThumbprint, signRequest } from '@aauth-ts/core';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { attemptInteraction } from '../../../conformance/support/consent-driver.js';
import { AgentProvider, Intermediary, type Agent } from '../../../conformance/support/current/parties.js';
import { DirectedSubjects } from '../src/stores/directed-subjects.js';

const USER = { id: 'a1b2c3d4-0000-4000-8000-00000000000c', username: 'chris', password: 'chris-password' };

function chainRealm(provider: AgentProvider, intermediary: Intermediary, options: { consentRequired?: boolean } = {}): object {
  return {
    realm: 'ps-chain',
    attributes: { 'aauth.allowLoopback': 'true', 'aauth.personServer': 'true', 'aauth.pairwiseSalt': 'chain-salt', 'aauth.pendingLifespan': '600' },
    users: [{ id: USER.id, username: USER.username, enabled: true, credentials: [{ type: 'password', value: USER.password }] }],
    clients: [
      { clientId: provider.id, name: 'Agent provider', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['im:read'] },
      { clientId: intermediary.id, name: 'Intermediary', consentRequired: options.consentRequired === true, attributes: { 'aauth.agent': 'true', 'aauth.resource': 'true' } },
    ],
    clientScopes: [{ name: 'im:read', attributes: { 'aauth.resource': intermediary.id, 'consent.screen.text': 'Read from the intermediary' } }],
  };
}

interface Chain {
  readonly now: { t: number };
  readonly issuer: string;
  readonly provider: AgentProvider;
  readonly intermediary: Intermediary;
  readonly lines: Record<string, unknown>[];
  /** A signed JSON POST as `agent`, its agent token from `token` (default: the provider's). */
  post(path: string, agent: Agent, body: unknown, token?: string): Promise<Response>;
  /** The upstream auth token `agent` obtains for the intermediary, the person approving once. */
  upstream(agent: Agent): Promise<string>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function setup(options: { consentRequired?: boolean } = {}): Promise<Chain> {
  const provider = new AgentProvider(0);
  const intermediary = new Intermediary(0);
  await Promise.all([provider.start(), intermediary.start()]);
  const dir = mkdtempSync(join(tmpdir(), 'ps-chain-'));
  const now = { t: Math.floor(Date.now() / 1000) };
  const lines: Record<string, unknown>[] = [];
  const realm = chainRealm(provider, intermediary, options);
  const start = (): AuthServer => createAuthServer({
    realm, keyFile: join(dir, 'keys.json'), now: () => now.t, log: () => undefined,
    logger: { info: (obj) => void lines.push(obj as Record<string, unknown>), warn: () => undefined },
  });
  let server = start();
  const { issuer, port } = await server.listen(0, '127.0.0.1');
  const post = async (path: string, agent: Agent, body: unknown, token?: string): Promise<Response> => {
    const url = path.startsWith('http') ? path : `${issuer}${path}`;
    const text = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const jwt = token ?? provider.agentToken(agent, { claims: { iat: now.t, exp: now.t + 3600 } });
    Object.assign(headers, signRequest({ method: 'POST', url, headers, body: text }, { key: agent.key.signing, signatureKey: { scheme: 'jwt', jwt }, created: now.t }));
    return fetch(url, { method: 'POST', headers, body: text });
  };
  const get = async (url: string, agent: Agent): Promise<Response> => {
    const headers: Record<string, string> = {};
    Object.assign(headers, signRequest({ method: 'GET', url, headers }, { key: agent.key.signing, signatureKey: { scheme: 'jwt', jwt: provider.agentToken(agent, { claims: { iat: now.t, exp: now.t + 3600 } }) }, created: now.t }));
    return fetch(url, { headers });
  };
  const upstream = async (agent: Agent): Promise<string> => {
    const asked = await post('/protocol/aauth/ps/person', agent, { resource: intermediary.id });
    const code = /code="([^"]+)"/.exec(asked.headers.get('aauth-requirement') ?? '')?.[1] as string;
    const result = await attemptInteraction(`${issuer}/protocol/aauth/ps/interaction`, code, USER, 'approve');
    if (!result.decided) throw new Error(`interaction: HTTP ${result.page.status}`);
    const person = (await (await get(asked.headers.get('location') as string, agent)).json()) as { person_token: string };
    const claims = JSON.parse(Buffer.from(person.person_token.split('.')[1] as string, 'base64url').toString('utf8')) as { sub: string; jti: string };
    const rt = intermediary.resourceToken({ aud: issuer, ps: issuer, sub: claims.sub, presentedJti: claims.jti, agentJkt: jwkThumbprint(agent.key.publicJwk), scope: 'im:read' });
    const res = await post('/protocol/aauth/ps/token', agent, { resource_token: rt });
    if (res.status !== 200) throw new Error(`upstream auth token: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { auth_token: string }).auth_token;
  };
  return {
    now, issuer, provider, intermediary, lines, post, upstream,
    async restart() {
      await server.close();
      server = start();
      await server.listen(port, '127.0.0.1');
      // The client's pooled connection to the old server was closed under it: the first fetch may fail on it.
      await fetch(`${issuer}/.well-known/aauth-person.json`).then((r) => r.arrayBuffer(), () => undefined);
    },
    async close() {
      await server.close();
      await Promise.all([provider.stop(), intermediary.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The intermediary's own agent token, on the injected clock. */
function intermediaryToken(c: Chain): string {
  return c.intermediary.agentToken(c.intermediary.agent, { claims: { iat: c.now.t, exp: c.now.t + 3600 } });
}

async function errorOf(res: Response): Promise<{ status: number; error: unknown; detail: unknown }> {
  const body = (await res.json()) as { error?: unknown; detail?: unknown };
  return { status: res.status, error: body.error, detail: body.detail };
}

describe('Person Server call chaining (embedded)', () => {
  it('an expired upstream token is refused → 400 invalid_request', async () => {
    const c = await setup();
    try {
      const upstream = await c.upstream(c.provider.agent('chain'));
      c.now.t += 3 * 3600;
      const res = await c.post('/protocol/aauth/ps/person', c.intermediary.agent, { resource: 'https://downstream.example', upstream_token: upstream }, intermediaryToken(c));
      expect(await errorOf(res)).toEqual(expect.objectContaining({ status: 400, error: 'invalid_request', detail: expect.stringMatching(/^"upstream_token" is not an auth token .*has expired/) }));
    } finally {
      await c.close();
    }
  });

  it('an upstream sub this server has no record of (restarted with the same keys and salt) is refused → 400 invalid_request', async () => {
    const c = await setup();
    try {
      const upstream = await c.upstream(c.provider.agent('chain'));
      const fresh = await c.post('/protocol/aauth/ps/person', c.intermediary.agent, { resource: 'https://downstream.example', upstream_token: upstream }, intermediaryToken(c));
      expect(fresh.status).toBe(200);
      await c.restart();
      const res = await c.post('/protocol/aauth/ps/person', c.intermediary.agent, { resource: 'https://downstream.example', upstream_token: upstream }, intermediaryToken(c));
      expect(await errorOf(res)).toEqual({ status: 400, error: 'invalid_request', detail: 'the person the upstream token was issued for is not known here' });
    } finally {
      await c.close();
    }
  });

  it('the decision line of a chained issuance names the upstream jti and the intermediary as agent', async () => {
    const c = await setup();
    try {
      const upstream = await c.upstream(c.provider.agent('chain'));
      const jti = (JSON.parse(Buffer.from(upstream.split('.')[1] as string, 'base64url').toString('utf8')) as { jti: string }).jti;
      const res = await c.post('/protocol/aauth/ps/person', c.intermediary.agent, { resource: 'https://downstream.example', upstream_token: upstream }, intermediaryToken(c));
      expect(res.status).toBe(200);
      expect(c.lines).toContainEqual(expect.objectContaining({ decision: 'person-token', outcome: 'granted', agent: c.intermediary.agent.id, upstream_jti: jti, user: USER.id, resource: 'https://downstream.example' }));
    } finally {
      await c.close();
    }
  });

  it('an intermediary whose agent provider has consentRequired: the chained person token asks the upstream person (202); approving binds no agent, so the next hop asks again', async () => {
    const c = await setup({ consentRequired: true });
    try {
      const upstream = await c.upstream(c.provider.agent('chain'));
      const ask = (): Promise<Response> => c.post('/protocol/aauth/ps/person', c.intermediary.agent, { resource: 'https://downstream.example', upstream_token: upstream }, intermediaryToken(c));
      const first = await ask();
      expect(first.status).toBe(202);
      const code = /code="([^"]+)"/.exec(first.headers.get('aauth-requirement') ?? '')?.[1] as string;
      expect((await attemptInteraction(`${c.issuer}/protocol/aauth/ps/interaction`, code, USER, 'approve')).decided).toBe(true);
      expect((await ask()).status).toBe(202);
      // Without upstream_token the intermediary is an agent bound to no one: it is asked for, not served.
      expect((await c.post('/protocol/aauth/ps/person', c.intermediary.agent, { resource: 'https://downstream.example' }, intermediaryToken(c))).status).toBe(202);
    } finally {
      await c.close();
    }
  });
});

describe('directed subjects index', () => {
  it('maps (audience, sub) to the user; full, it forgets the entry written longest ago', async () => {
    const index = new DirectedSubjects({ maxEntries: 2 });
    await index.remember('https://r1.example', 's1', 'u1');
    await index.remember('https://r2.example', 's1', 'u2');
    expect(await index.personOf('https://r1.example', 's1')).toBe('u1');
    expect(await index.personOf('https://r2.example', 's1')).toBe('u2');
    await index.remember('https://r1.example', 's1', 'u1');
    await index.remember('https://r3.example', 's3', 'u3');
    expect(await index.personOf('https://r2.example', 's1')).toBeUndefined();
    expect(await index.personOf('https://r1.example', 's1')).toBe('u1');
    expect(index.size).toBe(2);
  });
});
