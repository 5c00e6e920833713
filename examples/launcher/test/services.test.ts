/**
 * The demo's services over real HTTP on free loopback ports: the documents they publish, and bad
 * input answered with a precise 4xx `{error, error_description}` — unsigned and malformed requests,
 * and malformed bodies from a caller that holds a valid auth token (the test plays that caller with
 * an identity the realm knows, served from a socket the test owns).
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { A2A_PROTOCOL_VERSION, A2A_VERSION_HEADER, AgentCard } from '@a2a-js/sdk';
import { GuardedFetcher, PROFILE } from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession, readChallenge, type AAuthEvent } from '@aauth-ts/agent';
import { A2A_CARD_PATH, AAUTH_SECURITY_SCHEME } from '../../common/src/a2a-card.js';
import { callSkill, discoverAgentCard } from '../../common/src/a2a-client.js';
import { decodeJwt } from '../../common/src/decode-jwt.js';
import { boundPort, closeServer } from '../../common/src/http.js';
import { MARKET_OUTLOOK_SKILL } from '../../common/src/market-analysis.js';
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

  it('the agent cards are A2A AgentCards (the SDK type) declaring the AAuth scheme and each skill\'s scope', async () => {
    const { config } = demo;
    for (const [port, id, skill, scope, endpoint] of [
      [config.supplyChain.port, config.supplyChain.identifier, 'optimize-supply-plan', 'supply-chain:optimize', undefined],
      [config.marketAnalysis.port, config.marketAnalysis.identifier, MARKET_OUTLOOK_SKILL, 'market-analysis:analyze', `${config.marketAnalysis.identifier}/a2a`],
    ] as const) {
      const json = (await (await fetch(local(port, A2A_CARD_PATH))).json()) as Record<string, unknown>;
      // Valid as the SDK's type: parsing and writing it back changes nothing.
      const card = AgentCard.fromJSON(json);
      expect(AgentCard.toJSON(card)).toEqual(json);
      const scheme = card.securitySchemes[AAUTH_SECURITY_SCHEME]?.scheme;
      expect(scheme?.$case).toBe('httpAuthSecurityScheme');
      expect(scheme?.value).toMatchObject({ scheme: 'AAuth' });
      expect(scheme?.$case === 'httpAuthSecurityScheme' ? scheme.value.description : '').toContain(`${id}/.well-known/${PROFILE.wellKnown.resource}`);
      expect(card.securityRequirements.map((r) => Object.keys(r.schemes))).toEqual([[AAUTH_SECURITY_SCHEME]]);
      expect(card.skills.map((s) => [s.id, s.securityRequirements.map((r) => r.schemes[AAUTH_SECURITY_SCHEME]?.list)])).toEqual([[skill, [[scope]]]]);
      expect(card.supportedInterfaces.map((i) => [i.url, i.protocolBinding])).toEqual(endpoint === undefined ? [] : [[endpoint, 'JSONRPC']]);
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

describe('the market-analysis agent over A2A, behind AAuth', () => {
  let demo: RunningDemo;
  let own: Awaited<ReturnType<typeof ownIdentity>>;
  let identity: AgentServer;
  let caller: AAuthClient;
  let card: AgentCard;
  const events: AAuthEvent[] = [];
  const question = { segments: ['education'], regions: ['vietnam'], horizonWeeks: 8 };
  const rpc = (method: string, params: unknown): string => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  const message = (data: unknown, metadata?: Record<string, unknown>): unknown => ({ message: { messageId: 'm-1', role: 'ROLE_USER', parts: [{ data, mediaType: JSON_TYPE }] }, ...(metadata ? { metadata } : {}) });

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
    identity = own.attach(demo.config.supplyChain.identifier);
    caller = new AAuthClient({ session: AgentSession.asAgentServer(identity), development: true, authServers: [demo.config.issuer], onEvent: (e) => events.push(e) });
    card = await discoverAgentCard(new GuardedFetcher({ allowLoopback: true }), demo.config.marketAnalysis.identifier);
  }, 30_000);

  afterAll(async () => {
    await demo?.close();
    if (own) await closeServer(own.server);
  });

  /** A caller holding no auth token that answers no challenge: it sees the MAA's first answer. */
  const bare = (): AAuthClient => new AAuthClient({ session: AgentSession.asAgentServer(identity), development: true, authServers: [demo.config.issuer] });
  const endpoint = (): string => `${demo.config.marketAnalysis.identifier}/a2a`;
  const post = (client: AAuthClient, body: string, noRetry = false): Promise<Response> => client.fetch(endpoint(), { method: 'POST', headers: { [PROFILE.headers.contentType]: JSON_TYPE, [A2A_VERSION_HEADER]: A2A_PROTOCOL_VERSION }, body, ...(noRetry ? { aauth: { noRetry } } : {}) });

  /** The scope the resource token of a 401 AAuth challenge asks for. */
  function challengedScope(response: Response): unknown {
    expect(response.status).toBe(401);
    const challenge = readChallenge(response.headers.get(PROFILE.headers.challenge) ?? '');
    expect(challenge.require).toBe('auth-token');
    return decodeJwt(challenge.require === 'auth-token' ? challenge.resourceToken : '').claims.scope;
  }

  it('an A2A SendMessage through AAuth end to end: the SDK client, its fetch the AAuth client\'s, signed and challenge answered', async () => {
    events.length = 0;
    const answer = (await callSkill({ card, fetch: (url, init) => caller.fetch(url, init), skill: MARKET_OUTLOOK_SKILL, data: question })) as { analysis: { segments: Record<string, unknown> }; servedFor: { agent: string; scopes: string[] } };
    expect(Object.keys(answer.analysis.segments)).toEqual(['education']);
    expect(answer.servedFor).toMatchObject({ agent: demo.config.supplyChain.identifier, scopes: ['market-analysis:analyze'] });
    // Every A2A request was signed; the first was challenged for the skill's scope, the retry carried the token.
    const signed = events.filter((e): e is Extract<AAuthEvent, { type: 'request.signed' }> => e.type === 'request.signed');
    expect(signed.map((e) => [e.method, e.url, e.attempt])).toEqual([['POST', endpoint(), 1], ['POST', endpoint(), 2]]);
    const challenge = events.find((e): e is Extract<AAuthEvent, { type: 'challenge' }> => e.type === 'challenge');
    expect(challenge?.claims.scope).toBe('market-analysis:analyze');
  });

  it('an A2A call without the skill\'s scope is refused with the AAuth challenge for that scope', async () => {
    expect(challengedScope(await post(bare(), rpc('SendMessage', message(question, { skill: MARKET_OUTLOOK_SKILL })), true))).toBe('market-analysis:analyze');
    // The skill is the card's only one when the request names none.
    expect(challengedScope(await post(bare(), rpc('SendMessage', message(question)), true))).toBe('market-analysis:analyze');
    // Task methods need every skill's scope.
    expect(challengedScope(await post(bare(), rpc('GetTask', { id: 'no-such-task' }), true))).toBe('market-analysis:analyze');
    // The SDK client over a fetch that answers no challenge gets the refusal, never the outlook.
    const client = bare();
    await expect(callSkill({ card, fetch: (url, init) => client.fetch(url, { ...init, aauth: { noRetry: true } }), skill: MARKET_OUTLOOK_SKILL, data: question })).rejects.toThrow(/401/);
  });

  it.each([
    ['not JSON', '{'],
    ['not a JSON-RPC request', '[]'],
    ['no method', JSON.stringify({ jsonrpc: '2.0', id: 1 })],
    ['an unknown skill', rpc('SendMessage', message(question, { skill: 'crystal-ball' }))],
    ['a skill id that is not a string', rpc('SendMessage', message(question, { skill: 7 }))],
    ['segments not a list', rpc('SendMessage', message({ segments: 5, regions: [], horizonWeeks: 8 }))],
    ['an unknown segment', rpc('SendMessage', message({ segments: ['tablets'], regions: [], horizonWeeks: 8 }))],
    ['a horizon out of range', rpc('SendMessage', message({ segments: [], regions: [], horizonWeeks: 520 }))],
    ['too many names', rpc('SendMessage', message({ segments: Array.from({ length: 40 }, () => 'consumer'), regions: [], horizonWeeks: 8 }))],
    ['no data part', rpc('SendMessage', { message: { messageId: 'm-2', role: 'ROLE_USER', parts: [{ text: 'hello' }] } })],
  ])('an A2A call with %s gets 400 invalid_request before the agent runs', async (_name, body) => {
    await expectJsonError(await post(caller, body), 400, 'invalid_request');
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
