/**
 * The resource token endpoint (2026-03 §Resource Token Endpoint) and the metadata members of
 * §Resource Metadata, over a real loopback resource: an identified agent asks for a resource token
 * proactively with a signed JSON POST and gets `{resource_token, auth_server, scope}`, the token
 * bound to its key and verifiable with the published JWKS; refusals are precise.
 */
import express from 'express';
import { GuardedFetcher, KeyDiscovery, PROFILE, generateSigningKey, parseChallenge, verifyResourceToken, type SigningKey } from '@aauth-ts/core';
import { AAuthResource, aauth, aauthErrorHandler, type ResourceOptions } from '@aauth-ts/resource';
import { listen, plainFetch, signedFetch, startAgentServer, type AgentServer, type Running } from './fixtures.js';

let agentServer: AgentServer;
let resource: Running;
let bare: Running;
let delegate: SigningKey;
let agentToken: string;
const authServer = 'http://127.0.0.1:1/realms/demo';
const errors: unknown[] = [];

beforeAll(async () => {
  agentServer = await startAgentServer();
  delegate = generateSigningKey();
  agentToken = await agentServer.agentToken(delegate);
  resource = await listen((url) => {
    const app = express();
    app.use(aauth({
      resource: url, signingKey: generateSigningKey(), authServer, development: true,
      scopeDescriptions: { 'data.read': 'Read your data', 'data.write': 'Change your data' },
      resourceTokenEndpoint: '/aauth/resource-token',
      interactionEndpoint: `${url}/interact`,
      logoUri: `${url}/logo.png`,
      logoDarkUri: `${url}/logo-dark.png`,
    }));
    app.use(aauthErrorHandler({ log: (err) => errors.push(err) }));
    return app;
  });
  bare = await listen((url) => {
    const app = express();
    app.use(aauth({ resource: url, signingKey: generateSigningKey(), authServer, development: true }));
    app.use(aauthErrorHandler({ log: (err) => errors.push(err) }));
    return app;
  });
});

afterAll(async () => {
  await Promise.all([resource, bare, agentServer].map((r) => r.close()));
});

afterEach(() => {
  expect(errors).toEqual([]);
});

const asAgent = () => ({ key: delegate, signatureKey: { scheme: 'jwt' as const, jwt: agentToken } });
const ask = (body: unknown, who: Parameters<typeof signedFetch>[3] = asAgent(), base = resource.url) => signedFetch(base, 'POST', '/aauth/resource-token', { ...who, body: JSON.stringify(body) });

describe('resource metadata members (§Resource Metadata)', () => {
  test('resource_token_endpoint, interaction_endpoint, logo_uri and logo_dark_uri are published as configured', async () => {
    const meta = await plainFetch(resource.url, 'GET', `/.well-known/${PROFILE.wellKnown.resource}`);
    expect(meta.json).toMatchObject({
      resource: resource.url,
      resource_token_endpoint: `${resource.url}/aauth/resource-token`,
      interaction_endpoint: `${resource.url}/interact`,
      logo_uri: `${resource.url}/logo.png`,
      logo_dark_uri: `${resource.url}/logo-dark.png`,
    });
  });

  test('a resource that does not enable the endpoint neither publishes nor serves it', async () => {
    const meta = await plainFetch(bare.url, 'GET', `/.well-known/${PROFILE.wellKnown.resource}`);
    expect(meta.json).not.toHaveProperty('resource_token_endpoint');
    expect((await ask({ scope: 'data.read' }, asAgent(), bare.url)).status).toBe(404);
  });

  const base: ResourceOptions = { resource: 'https://resource.example', signingKey: generateSigningKey(), authServer: 'https://auth.example' };
  test.each<[string, Partial<ResourceOptions>]>([
    ['a logo over http', { logoUri: 'http://resource.example/logo.png' }],
    ['a dark logo that is no URL', { logoDarkUri: 'logo.png' }],
    ['an interaction endpoint with a query', { interactionEndpoint: 'https://resource.example/interact?x=1' }],
    ['an interaction endpoint with a fragment', { interactionEndpoint: 'https://resource.example/interact#x' }],
    ['a resource token endpoint that is not a path', { resourceTokenEndpoint: 'https://resource.example/rt' }],
    ['a pending path with a query', { pendingPath: '/p?x' }],
  ])('%s is a TypeError', (_name, patch) => {
    expect(() => new AAuthResource({ ...base, ...patch })).toThrow(TypeError);
  });
});

describe('the resource token endpoint (§Resource Token Endpoint)', () => {
  test('an identified agent gets a resource token for the scope it asks, bound to its key, with the auth server', async () => {
    const res = await ask({ scope: 'data.read data.write' });
    expect(res.status).toBe(200);
    expect(res.headers.get(PROFILE.headers.cacheControl)).toBe('no-store');
    expect(res.json).toMatchObject({ auth_server: authServer, scope: 'data.read data.write' });
    const claims = await verifyResourceToken(String(res.json.resource_token), {
      keys: new KeyDiscovery(new GuardedFetcher({ allowLoopback: true })), identifiers: { allowLoopbackHttp: true },
      issuer: resource.url, agent: agentServer.id, agentJkt: delegate.thumbprint,
    });
    expect(claims).toMatchObject({ iss: resource.url, aud: authServer, agent: agentServer.id, agent_jkt: delegate.thumbprint, scope: 'data.read data.write' });
  });

  test('an unknown scope is refused with 400 invalid_scope naming it', async () => {
    const res = await ask({ scope: 'data.read data.admin' });
    expect(res).toMatchObject({ status: 400, json: { error: 'invalid_scope' } });
    expect(String(res.json.error_description)).toContain('data.admin');
  });

  test.each<[string, unknown]>([
    ['no scope', {}],
    ['an empty scope', { scope: ' ' }],
    ['a scope that is not a string', { scope: ['data.read'] }],
    ['a body that is not an object', ['data.read']],
  ])('%s is 400 invalid_request', async (_name, body) => {
    expect(await ask(body)).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
  });

  test('a body that is not JSON is 400 invalid_request', async () => {
    const res = await signedFetch(resource.url, 'POST', '/aauth/resource-token', { ...asAgent(), body: 'scope=data.read', contentType: 'application/x-www-form-urlencoded' });
    expect(res).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
  });

  test('a pseudonymous caller gets 401 require=identity (a resource token names an agent)', async () => {
    const res = await ask({ scope: 'data.read' }, { key: delegate, signatureKey: { scheme: 'hwk' as const } });
    expect(res.status).toBe(401);
    expect(parseChallenge(res.headers.get(PROFILE.headers.challenge) ?? '')).toEqual({ require: 'identity' });
  });

  test('an unsigned request gets 401 require=identity', async () => {
    const res = await plainFetch(resource.url, 'POST', '/aauth/resource-token', { 'content-type': 'application/json' }, JSON.stringify({ scope: 'data.read' }));
    expect(res.status).toBe(401);
    expect(parseChallenge(res.headers.get(PROFILE.headers.challenge) ?? '')).toEqual({ require: 'identity' });
  });

  test('GET is 405 with Allow: POST', async () => {
    const res = await signedFetch(resource.url, 'GET', '/aauth/resource-token', asAgent());
    expect(res).toMatchObject({ status: 405, json: { error: 'invalid_request' } });
    expect(res.headers.get('allow')).toBe('POST');
  });
});
