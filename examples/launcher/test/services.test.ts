/**
 * The demo's services over real HTTP on free loopback ports: the documents they publish, and bad
 * input answered with a precise 4xx `{error, error_description}` — unsigned and malformed requests,
 * and malformed bodies from a caller that holds a valid auth token (the test plays that caller with
 * an identity the realm knows, served from a socket the test owns).
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { PROFILE } from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession } from '@aauth-ts/agent';
import { boundPort, closeServer } from '../../common/src/http.js';
import { decideConsent } from '../src/auto-consent.js';
import { defaultRealmPath } from '../src/realm-for-config.js';
import { startDemo, type RunningDemo } from '../src/start-demo.js';

const FREE = { AUTH_PORT: '0', BACKEND_PORT: '0', BACKEND_AUTONOMOUS_PORT: '0', SCA_PORT: '0', MAA_PORT: '0', LOG_FORMAT: 'json' };
const JSON_TYPE = 'application/json';

/** A socket the test owns, serving an agent identity (aauth-agent.json + JWKS) of the realm. */
async function ownIdentity(): Promise<{ server: Server; port: number; attach(identifier: string): AgentServer }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: boundPort(server),
    attach(identifier) {
      const identity = new AgentServer({ identifier, development: true });
      const app = express();
      app.use(identity.router());
      server.on('request', app);
      return identity;
    },
  };
}

async function expectJsonError(response: Response, status: number, error?: string): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get(PROFILE.headers.contentType)).toMatch(/^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(typeof body.error).toBe('string');
  expect(typeof body.error_description).toBe('string');
  if (error) expect(body.error).toBe(error);
  return body;
}

describe('the running demo: documents and bad input', () => {
  let demo: RunningDemo;
  let own: Awaited<ReturnType<typeof ownIdentity>>;
  let caller: AAuthClient;
  const local = (port: number, path: string): string => `http://127.0.0.1:${port}${path}`;

  beforeAll(async () => {
    // The test is the autonomous backend identity (no consent) calling the SCA directly.
    own = await ownIdentity();
    demo = await startDemo({
      settings: { ...FREE, BACKEND_AUTONOMOUS_PORT: String(own.port) },
      realmPath: defaultRealmPath(),
      only: ['auth-server', 'supply-chain-agent', 'market-analysis-agent'],
      quiet: true,
      isTty: false,
    });
    const identity = own.attach(demo.config.backendAutonomous.identifier);
    caller = new AAuthClient({ session: AgentSession.delegateOf(identity, { sub: 'test' }), development: true, authServers: [demo.config.issuer] });
  }, 30_000);

  afterAll(async () => {
    await demo?.close();
    if (own) await closeServer(own.server);
  });

  it('the agents publish A2A-style agent cards naming their skills and scopes', async () => {
    const { config } = demo;
    for (const [port, id, scope] of [[config.supplyChain.port, config.supplyChain.identifier, 'supply-chain:optimize'], [config.marketAnalysis.port, config.marketAnalysis.identifier, 'market-analysis:analyze']] as const) {
      const card = (await (await fetch(local(port, '/.well-known/agent.json'))).json()) as { url: string; skills: { scope: string }[]; authentication: { authServer: string } };
      expect(card.url).toBe(id);
      expect(card.skills.map((s) => s.scope)).toEqual([scope]);
      expect(card.authentication.authServer).toBe(config.issuer);
    }
  });

  it('publishes aauth-resource.json (SCA, MAA) and aauth-agent.json (SCA)', async () => {
    const { config } = demo;
    const get = async (port: number, doc: string): Promise<Record<string, unknown>> => (await (await fetch(local(port, `/.well-known/${doc}`))).json()) as Record<string, unknown>;
    expect((await get(config.supplyChain.port, PROFILE.wellKnown.resource)).resource).toBe(config.supplyChain.identifier);
    expect((await get(config.marketAnalysis.port, PROFILE.wellKnown.resource)).resource).toBe(config.marketAnalysis.identifier);
    expect((await get(config.supplyChain.port, PROFILE.wellKnown.agent)).agent).toBe(config.supplyChain.identifier);
  });

  it('an unsigned call to /optimize gets a 401 with an AAuth challenge and a JSON error', async () => {
    const response = await fetch(local(demo.config.supplyChain.port, '/optimize'), { method: 'POST', headers: { [PROFILE.headers.contentType]: JSON_TYPE }, body: '{}' });
    await expectJsonError(response, 401);
    expect(response.headers.get(PROFILE.headers.challenge)).toMatch(/^require=/);
  });

  it('a malformed Signature-Key gets a 4xx, never a 500', async () => {
    const response = await fetch(local(demo.config.supplyChain.port, '/optimize'), {
      method: 'POST',
      headers: { [PROFILE.headers.contentType]: JSON_TYPE, [PROFILE.headers.signatureKey]: 'sig=jwt;jwt=("not a token")', [PROFILE.headers.signatureInput]: 'sig=();created=1', [PROFILE.headers.signature]: 'sig=:AAAA:' },
      body: '{}',
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await expectJsonError(response, response.status);
  });

  it('an authorised call with a malformed body gets 400 invalid_request', async () => {
    const url = `${demo.config.supplyChain.identifier}/optimize`;
    const post = (body: string): Promise<Response> => caller.fetch(url, { method: 'POST', headers: { [PROFILE.headers.contentType]: JSON_TYPE }, body });
    await expectJsonError(await post('{not json'), 400, 'invalid_request');
    await expectJsonError(await post('{"horizonWeeks":"eight"}'), 400, 'invalid_request');
    const level = await expectJsonError(await post('{"serviceLevel":0.5}'), 400, 'invalid_request');
    expect(level.error_description).toMatch(/serviceLevel/);
    await expectJsonError(await post('[]'), 400, 'invalid_request');
  });

  it('an authorised call with a good body gets the plan and the SCA trace (no user: no sub)', async () => {
    const response = await caller.fetch(`${demo.config.supplyChain.identifier}/optimize`, { method: 'POST', headers: { [PROFILE.headers.contentType]: JSON_TYPE }, body: '{"horizonWeeks":6,"serviceLevel":0.99}' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { plan: { horizonWeeks: number; serviceLevel: number }; trace: { kind: string; tokens?: { claims: Record<string, unknown> }[] }[] };
    expect(body.plan).toMatchObject({ horizonWeeks: 6, serviceLevel: 0.99 });
    const chained = body.trace.find((h) => h.kind === 'token')?.tokens?.[0]?.claims;
    expect(chained).toMatchObject({ agent: demo.config.supplyChain.identifier, aud: demo.config.marketAnalysis.identifier });
    expect(chained?.sub).toBeUndefined();
  });
});

describe('the market-analysis agent: bad input from an authorised caller', () => {
  let demo: RunningDemo;
  let own: Awaited<ReturnType<typeof ownIdentity>>;
  let caller: AAuthClient;

  beforeAll(async () => {
    // The test is the supply-chain agent's identity, the one agent the realm lets read the MAA.
    own = await ownIdentity();
    demo = await startDemo({
      settings: { ...FREE, SCA_PORT: String(own.port) },
      realmPath: defaultRealmPath(),
      only: ['auth-server', 'market-analysis-agent'],
      quiet: true,
      isTty: false,
    });
    const identity = own.attach(demo.config.supplyChain.identifier);
    caller = new AAuthClient({ session: AgentSession.asAgentServer(identity), development: true, authServers: [demo.config.issuer] });
  }, 30_000);

  afterAll(async () => {
    await demo?.close();
    if (own) await closeServer(own.server);
  });

  const post = (body: string): Promise<Response> => caller.fetch(`${demo.config.marketAnalysis.identifier}/analysis`, { method: 'POST', headers: { [PROFILE.headers.contentType]: JSON_TYPE }, body });

  it('answers a good question with the outlook and who it served', async () => {
    const response = await post('{"segments":["education"],"regions":["vietnam"],"horizonWeeks":8}');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { analysis: { segments: Record<string, unknown> }; servedFor: { agent: string } };
    expect(Object.keys(body.analysis.segments)).toEqual(['education']);
    expect(body.servedFor.agent).toBe(demo.config.supplyChain.identifier);
  });

  it.each([
    ['not JSON', '{'],
    ['segments not a list', '{"segments":5,"regions":[],"horizonWeeks":8}'],
    ['unknown segment', '{"segments":["tablets"],"regions":[],"horizonWeeks":8}'],
    ['horizon out of range', '{"segments":[],"regions":[],"horizonWeeks":520}'],
    ['too many names', JSON.stringify({ segments: Array.from({ length: 40 }, () => 'consumer'), regions: [], horizonWeeks: 8 })],
  ])('%s → 400 invalid_request', async (_name, body) => {
    await expectJsonError(await post(body), 400, 'invalid_request');
  });
});

describe('the backend: its documents and its API', () => {
  let demo: RunningDemo;
  const local = (port: number, path: string): string => `http://127.0.0.1:${port}${path}`;

  beforeAll(async () => {
    demo = await startDemo({ settings: FREE, realmPath: defaultRealmPath(), only: ['backend'], quiet: true, isTty: false });
  });

  afterAll(async () => {
    await demo?.close();
  });

  it('publishes aauth-agent.json for both identities, each at its own origin', async () => {
    const { config } = demo;
    const user = (await (await fetch(local(config.backend.port, `/.well-known/${PROFILE.wellKnown.agent}`))).json()) as { agent: string; jwks_uri: string };
    const auto = (await (await fetch(local(config.backendAutonomous.port, `/.well-known/${PROFILE.wellKnown.agent}`))).json()) as { agent: string };
    expect(user.agent).toBe(config.backend.identifier);
    expect(user.jwks_uri.startsWith(config.backend.identifier)).toBe(true);
    expect(auto.agent).toBe(config.backendAutonomous.identifier);
  });

  it('serves the page and the cast', async () => {
    const page = await fetch(local(demo.config.backend.port, '/'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Optimize laptop supply chain');
    const cast = (await (await fetch(local(demo.config.backend.port, '/api/config'))).json()) as Record<string, string>;
    expect(cast).toMatchObject({ user: 'mcp-user', supplyChain: demo.config.supplyChain.identifier, issuer: demo.config.issuer });
  });

  it('the backend API answers bad input with JSON 4xx', async () => {
    const port = demo.config.backend.port;
    const post = (body: string): Promise<Response> => fetch(local(port, '/api/runs'), { method: 'POST', headers: { [PROFILE.headers.contentType]: JSON_TYPE }, body });
    await expectJsonError(await post('{"mode":'), 400, 'invalid_request');
    await expectJsonError(await post('{"mode":"sudo"}'), 400, 'invalid_request');
    await expectJsonError(await post(JSON.stringify({ mode: 'user', pad: 'x'.repeat(10_000) })), 413, 'invalid_request');
    await expectJsonError(await fetch(local(port, '/api/runs/no-such-run')), 404, 'invalid_request');
    await expectJsonError(await fetch(local(port, '/no/such/path')), 404, 'invalid_request');
  });
});

describe('a user who says no', () => {
  let demo: RunningDemo;

  beforeAll(async () => {
    demo = await startDemo({ settings: FREE, realmPath: defaultRealmPath(), quiet: true, isTty: false });
  }, 30_000);

  afterAll(async () => {
    await demo?.close();
  });

  it('denying consent fails the run with the auth server\'s "denied", and no token is issued', async () => {
    const api = `http://127.0.0.1:${demo.config.backend.port}/api/runs`;
    const started = (await (await fetch(api, { method: 'POST', headers: { [PROFILE.headers.contentType]: JSON_TYPE }, body: '{"mode":"user"}' })).json()) as { id: string };
    type Run = { status: string; interaction?: { url: string }; chain: unknown[]; error?: { error: string }; hops: { kind: string }[] };
    const read = async (): Promise<Run> => (await (await fetch(`${api}/${started.id}`)).json()) as Run;
    let run = await read();
    const deadline = Date.now() + 20_000;
    while (run.status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      run = await read();
    }
    expect(run.status).toBe('awaiting-consent');
    await decideConsent(run.interaction?.url as string, demo.config.user, true, 'deny');
    while (run.status === 'awaiting-consent' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      run = await read();
    }
    expect(run.status).toBe('failed');
    expect(run.error?.error).toBe('denied');
    expect(run.chain).toEqual([]);
    expect(run.hops.map((h) => h.kind)).not.toContain('retry');
  }, 40_000);
});
