/**
 * Attacks on the express resource found in the security review, each against a real loopback
 * server. Requests that a fetch client would normalise (dot-segments, absolute-form targets) go
 * over a raw socket, byte for byte.
 */
import net from 'node:net';
import express from 'express';
import { generateSigningKey, signRequest, type SigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler } from '@aauth-ts/resource';
import { listen, signedFetch, startAgentServer, startAuthServer, type AgentServer, type AuthServer, type Running } from './fixtures.js';

let as: AuthServer;
let agentServer: AgentServer;
let otherAgentServer: AgentServer;
let resource: Running;
const ran: string[] = [];
const errors: unknown[] = [];
/** Entries of the replay cache, all partitions together (small, so a flood is quick). */
const REPLAY_ENTRIES = 200;

beforeAll(async () => {
  as = await startAuthServer('test');
  agentServer = await startAgentServer();
  otherAgentServer = await startAgentServer();
  resource = await listen((url) => {
    const app = express();
    const guard = aauth({ resource: url, signingKey: generateSigningKey(), authServer: as.issuer, development: true, replay: { maxEntries: REPLAY_ENTRIES } });
    app.use(guard);
    app.all('/admin/*rest', guard.requireSignature(), (req, res) => { ran.push(`admin ${req.originalUrl}`); res.json({ admin: true }); });
    app.all('/public/info', guard.requireSignature(), (req, res) => { ran.push(`public ${req.method}`); res.json({ public: true }); });
    app.post('/orders', guard.requireAuth({ scope: 'orders.write' }), (_req, res) => { ran.push('orders'); res.json({ ok: true }); });
    app.post('/agents', guard.requireIdentity(), (_req, res) => { ran.push('agents'); res.json({ ok: true }); });
    app.use(aauthErrorHandler({ log: (err) => errors.push(err) }));
    return app;
  });
});

afterAll(async () => {
  await Promise.all([resource, as, agentServer, otherAgentServer].map((r) => r.close()));
});

beforeEach(() => {
  ran.length = 0;
});

afterEach(() => {
  expect(errors).toEqual([]);
});

interface RawAnswer { readonly status: number; readonly json: Record<string, unknown> }

/** One HTTP/1.1 request written to the socket as given: no client rewrites the target. */
function rawRequest(method: string, target: string, headers: Record<string, string>, body = ''): Promise<RawAnswer> {
  const { port, host } = new URL(resource.url);
  const lines = [`${method} ${target} HTTP/1.1`, `host: ${host}`, 'connection: close', `content-length: ${Buffer.byteLength(body)}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const payload = text.slice(text.indexOf('\r\n\r\n') + 4);
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(payload) as Record<string, unknown>;
      } catch {
        json = { text: payload };
      }
      resolve({ status, json });
    });
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

function signedHeaders(method: string, path: string, key: SigningKey, body?: string): Record<string, string> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  return { ...headers, ...signRequest({ method, url: `${resource.url}${path}`, headers, body }, { key, signatureKey: { scheme: 'hwk' } }) };
}

describe('@path is what the router sees', () => {
  test('the signed target itself is accepted (control)', async () => {
    const res = await rawRequest('GET', '/public/info', signedHeaders('GET', '/public/info', generateSigningKey()));
    expect(res).toMatchObject({ status: 200, json: { public: true } });
  });

  test.each([
    ['dot-segments', '/admin/x/../../public/info'],
    ['percent-encoded dot-segments', '/admin/%2e%2e/public/info'],
    ['upper-case encoded dot-segments', '/admin/%2E%2E/public/info'],
    ['an empty segment', '//public/info'],
  ])('a signature for /public/info sent to a target with %s (%s) is refused and no handler runs', async (_name, target) => {
    const res = await rawRequest('GET', target, signedHeaders('GET', '/public/info', generateSigningKey()));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
    expect(ran).toEqual([]);
  });

  test('an absolute-form target is a 401 invalid_signature, never a 500', async () => {
    const res = await rawRequest('POST', `${resource.url}/public/info`, signedHeaders('POST', '/public/info', generateSigningKey(), '{}'), '{}');
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
    expect(ran).toEqual([]);
  });
});

describe('ECDSA signatures do not dodge the replay cache', () => {
  test('a captured P-256 POST with its signature malleated to (r, n−s) does not run twice', async () => {
    const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
    const headers = signedHeaders('POST', '/public/info', generateSigningKey('P-256'), '{"n":1}');
    const first = await rawRequest('POST', '/public/info', headers, '{"n":1}');
    expect(first.status).toBe(200);
    const bytes = Buffer.from((headers.signature as string).slice('sig=:'.length, -1), 'base64');
    const s = P256_N - BigInt(`0x${bytes.subarray(32).toString('hex')}`);
    const twin = Buffer.concat([bytes.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);
    const second = await rawRequest('POST', '/public/info', { ...headers, signature: `sig=:${twin.toString('base64')}:` }, '{"n":1}');
    expect(second).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
    expect(ran).toEqual(['public POST']);
  });

  test('a second valid P-256 signature over the same signed request is refused as a replay', async () => {
    const key = generateSigningKey('P-256');
    const created = Math.floor(Date.now() / 1000);
    const sign = (): Record<string, string> => ({ 'content-type': 'application/json', ...signRequest(
      { method: 'POST', url: `${resource.url}/public/info`, headers: { 'content-type': 'application/json' }, body: '{"n":2}' },
      { key, signatureKey: { scheme: 'hwk' }, created },
    ) });
    const a = sign();
    const b = sign();
    expect(a.signature).not.toBe(b.signature);
    expect((await rawRequest('POST', '/public/info', a, '{"n":2}')).status).toBe(200);
    const replay = await rawRequest('POST', '/public/info', b, '{"n":2}');
    expect(replay).toMatchObject({ status: 401, json: { error: 'invalid_signature', error_description: expect.stringMatching(/already been used/) as unknown } });
    expect(ran).toEqual(['public POST']);
  });
});

describe('the replay cache cannot be filled by anyone', () => {
  test('a flood of self-made hwk POSTs to nonexistent paths, then identified callers still succeed', async () => {
    let refused = 0;
    for (let i = 0; i <= REPLAY_ENTRIES && refused === 0; i++) {
      const res = await signedFetch(resource.url, 'POST', `/nowhere/${i}`, { key: generateSigningKey(), signatureKey: { scheme: 'hwk' }, body: '{}' });
      if (res.status === 503) refused++;
      else expect(res.status).toBe(404);
    }
    expect(refused).toBe(1); // the pseudonymous share filled up well before the whole cache
    const delegate = generateSigningKey();
    const token = await as.mint({ aud: resource.url, agent: agentServer.id, cnfJwk: delegate.publicJwk, sub: 'user-1', scope: 'orders.write' });
    const authorized = await signedFetch(resource.url, 'POST', '/orders', { key: delegate, signatureKey: { scheme: 'jwt', jwt: token }, body: '{}' });
    expect(authorized).toMatchObject({ status: 200, json: { ok: true } });
    const other = generateSigningKey();
    const identified = await signedFetch(resource.url, 'POST', '/agents', { key: other, signatureKey: { scheme: 'jwt', jwt: await otherAgentServer.agentToken(other) } });
    expect(identified).toMatchObject({ status: 200, json: { ok: true } });
    expect(ran).toEqual(['orders', 'agents']);
  });

  test('one agent flooding with many delegate keys hits its own quota (429), not everybody\'s', async () => {
    let limited = 0;
    for (let i = 0; i <= REPLAY_ENTRIES && limited === 0; i++) {
      const key = generateSigningKey();
      const res = await signedFetch(resource.url, 'POST', `/nowhere/${i}`, { key, signatureKey: { scheme: 'jwt', jwt: await agentServer.agentToken(key) } });
      if (res.status === 429) limited++;
      else expect(res.status).toBe(404);
    }
    expect(limited).toBe(1);
    const other = generateSigningKey();
    const res = await signedFetch(resource.url, 'POST', '/agents', { key: other, signatureKey: { scheme: 'jwt', jwt: await otherAgentServer.agentToken(other) } });
    expect(res).toMatchObject({ status: 200, json: { ok: true } });
  });
});
