/**
 * The express middleware against real loopback servers and real signed requests (no mocked HTTP):
 * each `require=` path, challenges parsed back with core's `parseChallenge`, resource tokens
 * verified against the published JWKS, auth tokens from a loopback auth server, and the refusals.
 */
import { sign as cryptoSign } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import express from 'express';
import {
  GuardedFetcher, KeyDiscovery, PROFILE, generateSigningKey, parseChallenge, signRequest, verifyResourceToken, type SigningKey,
} from '@aauth-ts/core';
import { aauth, aauthErrorHandler, accessDenied, captureRawBody, requireAuth, type AAuthRequest } from '@aauth-ts/resource';
import { listen, plainFetch, signedFetch, startAgentServer, startAuthServer, type AgentServer, type AuthServer, type Running } from './fixtures.js';


let as: AuthServer;
let otherAs: AuthServer;
let agentServer: AgentServer;
let resource: Running;
let delegate: SigningKey;
let agentToken: string;
const errors: unknown[] = [];

beforeAll(async () => {
  as = await startAuthServer('test');
  otherAs = await startAuthServer('other');
  agentServer = await startAgentServer();
  delegate = generateSigningKey();
  agentToken = await agentServer.agentToken(delegate);
  resource = await listen((url) => {
    const app = express();
    app.use(express.json({ verify: captureRawBody }));
    const guard = aauth({
      resource: url, signingKey: generateSigningKey(), authServer: as.issuer, development: true,
      scopeDescriptions: { 'data.read': 'Read your data', 'data.write': 'Change your data' }, clientName: 'Test resource',
    });
    app.use(guard);
    const show = (req: express.Request, res: express.Response): void => {
      const { claims: _claims, jwk: _jwk, ...rest } = (req as AAuthRequest).aauth;
      res.json(rest);
    };
    app.get('/public', (req, res) => { res.json({ aauth: req.aauth ?? null }); });
    app.get('/pseudo', guard.requireSignature(), show);
    app.post('/pseudo', guard.requireSignature(), (req, res) => { res.json({ raw: req.rawBody?.toString('utf8') ?? null }); });
    app.get('/digest-only', guard.requireSignature({ components: [PROFILE.components.contentDigest] }), show);
    app.get('/identity', guard.requireIdentity(), show);
    app.get('/data', guard.requireAuth({ scope: 'data.read' }), show);
    app.post('/data', requireAuth({ scope: 'data.write' }), (req, res) => { res.json({ got: req.body as unknown }); });
    app.get('/strict', guard.requireAuth({ scope: ['data.read', 'data.write'], stepUp: false }), show);
    app.get('/policy', guard.requireAuth({ scope: 'data.read' }), () => { throw accessDenied('this user may not read this record'); });
    app.use(aauthErrorHandler({ log: (err) => errors.push(err) }));
    return app;
  });
});

afterAll(async () => {
  await Promise.all([resource, as, otherAs, agentServer].map((r) => r.close()));
});

afterEach(() => {
  expect(errors).toEqual([]);
});

const discovery = (): KeyDiscovery => new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
const challengeOf = (headers: Headers) => parseChallenge(headers.get(PROFILE.headers.challenge) ?? '');
const asAgent = () => ({ key: delegate, signatureKey: { scheme: 'jwt' as const, jwt: agentToken } });
const withAuthToken = (jwt: string, key: SigningKey = delegate) => ({ key, signatureKey: { scheme: 'jwt' as const, jwt } });
const pseudonym = (key: SigningKey = delegate) => ({ key, signatureKey: { scheme: 'hwk' as const } });

async function authToken(overrides: Partial<Parameters<AuthServer['mint']>[0]> = {}, server: AuthServer = as): Promise<string> {
  return server.mint({ aud: resource.url, agent: agentServer.id, cnfJwk: delegate.publicJwk, sub: 'user-1', scope: 'data.read', ...overrides });
}

describe('well-known documents', () => {
  test('aauth-resource.json and the JWKS are served', async () => {
    const meta = await plainFetch(resource.url, 'GET', `/.well-known/${PROFILE.wellKnown.resource}`);
    expect(meta.status).toBe(200);
    expect(meta.json).toMatchObject({ resource: resource.url, jwks_uri: `${resource.url}/.well-known/jwks.json`, client_name: 'Test resource', scope_descriptions: { 'data.read': 'Read your data' } });
    // 2026-03 §Covered Components: the strict default is published, not a secret.
    expect(meta.json.additional_signature_components).toEqual(expect.arrayContaining(['@query', 'content-type', 'content-digest']));
    const jwks = await plainFetch(resource.url, 'GET', '/.well-known/jwks.json');
    const keys = jwks.json.keys as Record<string, unknown>[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toHaveProperty('d');
  });
});

describe('require=pseudonym', () => {
  test('an unsigned request is challenged with require=pseudonym', async () => {
    const res = await plainFetch(resource.url, 'GET', '/pseudo');
    expect(res.status).toBe(401);
    expect(challengeOf(res.headers)).toEqual({ require: 'pseudonym' });
    expect(res.json).toMatchObject({ error: 'invalid_signature' });
    expect(typeof res.json.error_description).toBe('string');
  });

  test('an hwk-signed request passes, tracked by thumbprint', async () => {
    const res = await signedFetch(resource.url, 'GET', '/pseudo', pseudonym());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ scheme: 'hwk', thumbprint: delegate.thumbprint, scopes: [] });
    expect(res.json).not.toHaveProperty('agent');
  });

  test('an unsigned request to an open route passes without req.aauth', async () => {
    const res = await plainFetch(resource.url, 'GET', '/public');
    expect(res).toMatchObject({ status: 200, json: { aauth: null } });
  });

  test('a body the middleware reads itself is checked against Content-Digest and kept as req.rawBody', async () => {
    const res = await signedFetch(resource.url, 'POST', '/pseudo', { ...pseudonym(), body: 'hello', contentType: 'text/plain' });
    expect(res).toMatchObject({ status: 200, json: { raw: 'hello' } });
    const altered = await signedFetch(resource.url, 'POST', '/pseudo', { ...pseudonym(), body: 'hello', contentType: 'text/plain', sendBody: 'HELLO' });
    expect(altered).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
  });

  test('a route that demands content-digest answers required_components', async () => {
    const res = await signedFetch(resource.url, 'GET', '/digest-only', pseudonym());
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: 'invalid_signature' });
    expect(res.json.required_components).toEqual(expect.arrayContaining(['@method', '@authority', '@path', 'signature-key', 'content-digest']));
  });
});

describe('require=identity', () => {
  test('unsigned and pseudonymous callers are challenged with require=identity', async () => {
    const unsigned = await plainFetch(resource.url, 'GET', '/identity');
    expect(unsigned.status).toBe(401);
    expect(challengeOf(unsigned.headers)).toEqual({ require: 'identity' });
    const hwk = await signedFetch(resource.url, 'GET', '/identity', pseudonym());
    expect(hwk.status).toBe(401);
    expect(challengeOf(hwk.headers)).toEqual({ require: 'identity' });
    expect(hwk.json).toMatchObject({ error: 'invalid_agent_token' });
  });

  test('an agent token identifies the agent (iss) and the delegate (sub)', async () => {
    const res = await signedFetch(resource.url, 'GET', '/identity', asAgent());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ scheme: 'jwt', tokenType: 'agent', agent: agentServer.id, delegate: 'delegate-1', issuer: agentServer.id, thumbprint: delegate.thumbprint });
  });

  test('jwks_uri identifies the agent by id', async () => {
    const res = await signedFetch(resource.url, 'GET', '/identity', { key: agentServer.key, signatureKey: { scheme: 'jwks_uri', id: agentServer.id, kid: agentServer.key.kid, wellKnown: PROFILE.wellKnown.agent } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ scheme: 'jwks_uri', agent: agentServer.id, thumbprint: agentServer.key.thumbprint });
  });

  test('jwks_uri with a kid the agent does not publish is refused', async () => {
    const res = await signedFetch(resource.url, 'GET', '/identity', { key: delegate, signatureKey: { scheme: 'jwks_uri', id: agentServer.id, kid: 'nope' } });
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
  });

  test('an agent token whose aud does not list this resource is refused', async () => {
    const token = await agentServer.agentToken(delegate, 'delegate-1', 'https://elsewhere.example');
    const res = await signedFetch(resource.url, 'GET', '/identity', withAuthToken(token));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_agent_token' } });
  });
});

describe('require=auth-token', () => {
  test('a pseudonymous caller gets require=identity (a resource token must name an agent)', async () => {
    const res = await signedFetch(resource.url, 'GET', '/data', pseudonym());
    expect(res.status).toBe(401);
    expect(challengeOf(res.headers)).toEqual({ require: 'identity' });
  });

  test('an identified agent gets a resource token bound to it that verifies with the published JWKS', async () => {
    const res = await signedFetch(resource.url, 'GET', '/data', asAgent());
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: 'invalid_auth_token' });
    const challenge = challengeOf(res.headers);
    if (challenge.require !== 'auth-token') throw new Error(`unexpected challenge ${challenge.require}`);
    expect(challenge.authServer).toBe(as.issuer);
    const claims = await verifyResourceToken(challenge.resourceToken, {
      keys: discovery(), identifiers: { allowLoopbackHttp: true }, issuer: resource.url, agent: agentServer.id, agentJkt: delegate.thumbprint,
    });
    expect(claims).toMatchObject({ iss: resource.url, aud: as.issuer, agent: agentServer.id, agent_jkt: delegate.thumbprint, scope: 'data.read' });
    expect(typeof claims.jti).toBe('string');
    expect(claims.exp - claims.iat).toBe(300);
  });

  test('a valid auth token is accepted and req.aauth carries its identity, scopes and raw token', async () => {
    const token = await authToken({ claims: { agent_delegate: 'delegate-1' } });
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(token));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      scheme: 'jwt', tokenType: 'auth', agent: agentServer.id, delegate: 'delegate-1', sub: 'user-1', scopes: ['data.read'], issuer: as.issuer, authToken: token, thumbprint: delegate.thumbprint,
    });
    // warm: the same token again (verified-token cache), fresh signature
    const again = await signedFetch(resource.url, 'GET', '/data', withAuthToken(token));
    expect(again.status).toBe(200);
  });

  // 2026-03 §Auth Token Structure: an auth token MAY carry registered JWT claims; `act` (RFC 8693
  // §4.1) and `auth_time` (OpenID Connect Core §2) reach the handler.
  test('an auth token carrying act and auth_time is accepted and req.aauth surfaces them', async () => {
    const now = Math.floor(Date.now() / 1000);
    const act = { sub: 'https://intermediary.example', act: { sub: 'https://first.example' } };
    const token = as.signClaims({ aud: resource.url, agent: agentServer.id, cnf: { jwk: delegate.publicJwk }, sub: 'user-1', scope: 'data.read', iat: now, exp: now + 300, jti: 'j-act', act, auth_time: now - 60, nbf: now - 5, acr: 'phr', amr: ['pwd'] });
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(token));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ sub: 'user-1', act, authTime: now - 60 });
  });

  test('an auth token whose nbf is in the future is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = as.signClaims({ aud: resource.url, agent: agentServer.id, cnf: { jwk: delegate.publicJwk }, sub: 'user-1', scope: 'data.read', iat: now, exp: now + 300, nbf: now + 600 });
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(token));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_auth_token' } });
    expect(res.json.error_description).toMatch(/nbf/);
  });

  test('an auth token without the route scope gets a step-up challenge for that scope', async () => {
    const token = await authToken({ scope: 'data.write' });
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(token));
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: 'insufficient_scope' });
    const challenge = challengeOf(res.headers);
    if (challenge.require !== 'auth-token') throw new Error('expected require=auth-token');
    const claims = await verifyResourceToken(challenge.resourceToken, { keys: discovery(), identifiers: { allowLoopbackHttp: true }, issuer: resource.url, agentJkt: delegate.thumbprint });
    expect(claims).toMatchObject({ agent: agentServer.id, scope: 'data.read' });
  });

  test('with step-up off, a missing scope is 403 insufficient_scope without a challenge', async () => {
    const res = await signedFetch(resource.url, 'GET', '/strict', withAuthToken(await authToken()));
    expect(res).toMatchObject({ status: 403, json: { error: 'insufficient_scope' } });
    expect(res.headers.get(PROFILE.headers.challenge)).toBeNull();
  });

  test('a policy refusal from app code is 403 access_denied', async () => {
    const res = await signedFetch(resource.url, 'GET', '/policy', withAuthToken(await authToken()));
    expect(res).toMatchObject({ status: 403, json: { error: 'access_denied', error_description: 'this user may not read this record' } });
  });

  test('a signed JSON POST with an auth token reaches the handler with its parsed body', async () => {
    const res = await signedFetch(resource.url, 'POST', '/data', { ...withAuthToken(await authToken({ scope: 'data.write' })), body: '{"n":1}' });
    expect(res).toMatchObject({ status: 200, json: { got: { n: 1 } } });
  });
});

describe('refusals', () => {
  test('wrong aud', async () => {
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(await authToken({ aud: 'https://other-resource.example' })));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_auth_token' } });
    expect(res.json.error_description).toMatch(/aud/);
  });

  test('wrong agent (not an agent identifier)', async () => {
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(await authToken({ agent: 'not-an-agent' })));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_auth_token' } });
    expect(res.json.error_description).toMatch(/agent/);
  });

  test('cnf mismatch: the request is signed by another key than cnf.jwk', async () => {
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(await authToken(), generateSigningKey()));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
  });

  test('expired auth token', async () => {
    const token = await authToken({ now: Math.floor(Date.now() / 1000) - 1000, lifetimeSeconds: 300 });
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(token));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_auth_token' } });
    expect(res.json.error_description).toMatch(/expired/);
  });

  test('untrusted issuer', async () => {
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(await authToken({}, otherAs)));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_auth_token' } });
    expect(res.json.error_description).toMatch(/not trusted/);
  });

  test('an auth token signed by a key the issuer does not publish', async () => {
    const forged = await authToken({ iss: as.issuer }, { ...as, mint: (input) => otherAs.mint({ ...input, iss: as.issuer }) });
    const res = await signedFetch(resource.url, 'GET', '/data', withAuthToken(forged));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_auth_token' } });
  });

  test('a replayed POST is refused inside the window', async () => {
    const url = `${resource.url}/data`;
    const body = '{"n":2}';
    const token = await authToken({ scope: 'data.write' });
    const headers = { 'content-type': 'application/json' };
    const signed = signRequest({ method: 'POST', url, headers, body }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: token } });
    const first = await fetch(url, { method: 'POST', headers: { ...headers, ...signed }, body });
    expect(first.status).toBe(200);
    const second = await fetch(url, { method: 'POST', headers: { ...headers, ...signed }, body });
    expect(second.status).toBe(401);
    expect(await second.json()).toMatchObject({ error: 'invalid_signature', error_description: expect.stringMatching(/already been used/) as unknown });
  });

  test('a body altered after signing fails Content-Digest', async () => {
    const res = await signedFetch(resource.url, 'POST', '/data', { ...withAuthToken(await authToken({ scope: 'data.write' })), body: '{"n":1}', sendBody: '{"n":9}' });
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
    expect(res.json.error_description).toMatch(/Content-Digest/);
  });

  test('a signature that does not cover signature-key is refused with required_components', async () => {
    const created = Math.floor(Date.now() / 1000);
    const params = `("@method" "@authority" "@path");created=${created}`;
    const authority = new URL(resource.url).host;
    const base = `"@method": GET\n"@authority": ${authority}\n"@path": /pseudo\n"@signature-params": ${params}`;
    const signature = cryptoSign(null, Buffer.from(base), delegate.privateKey).toString('base64');
    const jwk = delegate.publicJwk;
    const res = await plainFetch(resource.url, 'GET', '/pseudo', {
      'signature-input': `sig=${params}`, signature: `sig=:${signature}:`, 'signature-key': `sig=hwk;kty="${jwk.kty}";crv="${String(jwk.crv)}";x="${String(jwk.x)}"`,
    });
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
    expect(res.json.required_components).toEqual(['@method', '@authority', '@path', 'signature-key']);
  });

  test('a created outside the window is refused', async () => {
    const res = await signedFetch(resource.url, 'GET', '/pseudo', { ...pseudonym(), created: Math.floor(Date.now() / 1000) - 600 });
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
  });

  test('a tampered signature is refused', async () => {
    const res = await signedFetch(resource.url, 'GET', '/pseudo', { ...pseudonym(), override: { signature: `sig=:${Buffer.alloc(64, 1).toString('base64')}:` } });
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
  });

  test('a signature made for another authority is refused, even with a matching Host', async () => {
    // Sent with node:http, since fetch does not let a caller set Host.
    const signed = signRequest({ method: 'GET', url: 'http://evil.example/pseudo', headers: {} }, { key: delegate, signatureKey: { scheme: 'hwk' } });
    const target = new URL(resource.url);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: target.hostname, port: target.port, path: '/pseudo', method: 'GET', headers: { ...signed, host: 'evil.example' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
    expect(JSON.parse(body)).toMatchObject({ error: 'invalid_signature', error_description: expect.stringMatching(/authority/) as unknown });
  });

  test('the x509 scheme is refused when no trust anchors are configured', async () => {
    const res = await signedFetch(resource.url, 'GET', '/pseudo', { key: delegate, signatureKey: { scheme: 'x509', x5u: 'https://x.example/chain.pem', x5t: new Uint8Array(32) } });
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature', error_description: expect.stringMatching(/no X\.509 trust anchors/) as unknown } });
  });

  test('a jwt that is neither an agent nor an auth token is refused', async () => {
    const res = await signedFetch(resource.url, 'GET', '/identity', withAuthToken('eyJ0eXAiOiJyZXNvdXJjZStqd3QiLCJhbGciOiJFZERTQSJ9.e30.AAAA'));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
  });

  test('malformed JSON behind a valid signature is a 400 invalid_request, not a 500', async () => {
    const res = await signedFetch(resource.url, 'POST', '/data', { ...withAuthToken(await authToken({ scope: 'data.write' })), body: '{"n":' });
    expect(res).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
  });
});

describe('what aauth() adds to a request and its response', () => {
  let app: Running;
  const theirs = (): string => 'their own';
  beforeAll(async () => {
    app = await listen((url) => {
      const a = express();
      const before = new WeakMap<object, readonly (string | symbol)[]>();
      a.use((req, _res, next) => { before.set(req, Reflect.ownKeys(req)); next(); });
      const guard = aauth({ resource: url, signingKey: generateSigningKey(), authServer: as.issuer, development: true });
      a.use(guard);
      a.get('/keys', guard.requireSignature(), (req, res) => {
        const earlier = new Set(before.get(req));
        res.json({
          added: Reflect.ownKeys(req).filter((k) => !earlier.has(k)).map(String), agent: req.aauth?.thumbprint === delegate.thumbprint,
          ownDefer: Object.hasOwn(res, 'aauthDefer'), defer: typeof res.aauthDefer,
        });
      });
      a.get('/assigned', (req, res) => {
        req.aauth = undefined;
        res.json({ own: Object.hasOwn(req, 'aauth'), value: req.aauth ?? null });
      });
      // A sub-app's requests and responses take its own prototypes, which inherit from the parent app's.
      const sub = express();
      sub.get('/defer', guard.requireSignature(), (req, res) => {
        if (req.aauth?.thumbprint !== delegate.thumbprint) throw new Error('the sub-app does not see req.aauth');
        res.aauthDefer();
      });
      a.use('/sub', sub);
      // A sub-app whose responses already have an `aauthDefer` of the app's own: left as it is.
      const own = express();
      Object.defineProperty(own.response, 'aauthDefer', { value: theirs, writable: true, configurable: true });
      own.use(guard);
      own.get('/theirs', (_req, res) => { res.json({ prototype: (own.response as { aauthDefer?: unknown }).aauthDefer === theirs, ownOnResponse: Object.hasOwn(res, 'aauthDefer') }); });
      a.use('/own', own);
      a.use(aauthErrorHandler());
      return a;
    });
  });
  afterAll(() => app.close());

  test('a request gains no property of its own, and req.aauth reads the verified context', async () => {
    const res = await signedFetch(app.url, 'GET', '/keys', pseudonym());
    expect(res.status).toBe(200);
    // express itself adds `route` when the route matches.
    expect((res.json.added as string[]).filter((k) => k !== 'route')).toEqual([]);
    expect(res.json).toMatchObject({ agent: true, ownDefer: false, defer: 'function' });
    expect(Object.hasOwn(http.IncomingMessage.prototype, 'aauth')).toBe(false);
    expect(Object.hasOwn(http.ServerResponse.prototype, 'aauthDefer')).toBe(false);
  });

  test('an unsigned request reads req.aauth as undefined, and assigning it keeps the value on that request', async () => {
    const res = await plainFetch(app.url, 'GET', '/assigned');
    expect(res).toMatchObject({ status: 200, json: { own: true, value: null } });
  });

  test('req.aauth and res.aauthDefer() work in a sub-app mounted after aauth()', async () => {
    const res = await signedFetch(app.url, 'GET', '/sub/defer', pseudonym());
    expect(res.status).toBe(202);
    expect(res.headers.get(PROFILE.headers.location)).toMatch(new RegExp(`^${app.url}/aauth/pending/`));
  });

  test('an aauthDefer the app defined on its own responses is not replaced: aauth() sets its own on the response', async () => {
    const res = await plainFetch(app.url, 'GET', '/own/theirs');
    expect(res).toMatchObject({ status: 200, json: { prototype: true, ownOnResponse: true } });
  });

  test('a response whose prototype is node\'s own gets the method as its own property, and node\'s prototype is left alone', () => {
    const guard = aauth({ resource: app.url, signingKey: generateSigningKey(), authServer: as.issuer, development: true });
    const req = new http.IncomingMessage(new net.Socket());
    Object.assign(req, { method: 'GET', url: '/x', originalUrl: '/x', path: '/x', headers: { host: new URL(app.url).host } });
    const res = new http.ServerResponse(req);
    let passed = false;
    guard(req as express.Request, res as unknown as express.Response, () => { passed = true; });
    expect(passed).toBe(true);
    expect(Object.hasOwn(res, 'aauthDefer')).toBe(true);
    expect(Object.hasOwn(http.ServerResponse.prototype, 'aauthDefer')).toBe(false);
  });
});
