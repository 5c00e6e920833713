/**
 * Garbage in every AAuth-related header never yields a 5xx, a hang or a crash: a fast-check
 * property against the running express server (bounded runs and time). Key discovery is fenced
 * to loopback so no generated identifier can make the server reach outside this machine.
 */
import http from 'node:http';
import express from 'express';
import fc from 'fast-check';
import { FetchError, GuardedFetcher, KeyDiscovery, PROFILE, generateSigningKey, isLoopbackHost, signRequest, type PublicJwk } from '@aauth-ts/core';
import { aauth, aauthErrorHandler, captureRawBody } from '@aauth-ts/resource';
import { listen, startAgentServer, startAuthServer, type AgentServer, type AuthServer, type Running } from './fixtures.js';

/** Refuses any issuer that is not a loopback name before a single packet leaves. */
class LoopbackOnlyDiscovery extends KeyDiscovery {
  override async getKey(issuer: string, document: string, kid: string | undefined, alg?: string): Promise<PublicJwk> {
    const host = URL.canParse(issuer) ? new URL(issuer).hostname : '';
    if (!isLoopbackHost(host) || !/^[\d.]+$/.test(host)) throw new FetchError('address_not_allowed', `test fence: ${issuer} is not a loopback address`);
    return super.getKey(issuer, document, kid, alg);
  }
}

let as: AuthServer;
let agentServer: AgentServer;
let resource: Running;
const unexpected: unknown[] = [];
const delegate = generateSigningKey();
let agentToken = '';

beforeAll(async () => {
  as = await startAuthServer();
  agentServer = await startAgentServer();
  agentToken = await agentServer.agentToken(delegate);
  resource = await listen((url) => {
    const app = express();
    app.use(express.json({ verify: captureRawBody }));
    const guard = aauth({
      resource: url, signingKey: generateSigningKey(), authServer: as.issuer, development: true,
      keyDiscovery: new LoopbackOnlyDiscovery(new GuardedFetcher({ allowLoopback: true, timeoutMs: 1000 })),
    });
    app.use(guard);
    app.all('/open', (_req, res) => { res.json({ ok: true }); });
    app.all('/pseudo', guard.requireSignature(), (_req, res) => { res.json({ ok: true }); });
    app.all('/data', guard.requireAuth({ scope: 'data.read' }), (_req, res) => { res.json({ ok: true }); });
    app.use(aauthErrorHandler({ log: (err) => unexpected.push(err) }));
    return app;
  });
});

afterAll(async () => {
  await Promise.all([resource, as, agentServer].map((r) => r.close()));
});

interface Reply { status: number; body: string }

/** node:http, so header values fetch would normalise are sent as generated. */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  const target = new URL(resource.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path, method, headers, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path} within 5 s`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// Header-safe text: printable ASCII (node:http refuses control characters before sending).
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });
const fragments = fc.constantFrom(
  'sig', 'sig1', '=', 'hwk', 'jwt', 'jwks_uri', 'x509', 'jkt-jwt', ';', ',', ' ', '"', ':', '(', ')', '?1', '*', '-1', '1e9', '999999999999999999999',
  'kty="OKP"', 'kty="EC"', 'kty="RSA"', 'crv="Ed25519"', 'crv="P-256"', `x="${String(delegate.publicJwk.x)}"`, 'x="AAAA"', 'y="AAAA"', 'n="AA"', 'e="AQAB"',
  '"@method"', '"@authority"', '"@path"', '"@query"', '"signature-key"', '"content-digest"', '"@status"', '"@nonsense"', ';created=', `;created=${Math.floor(Date.now() / 1000)}`, ';expires=1', ';alg="ed25519"', ';alg="rsa-v1_5-sha256"',
  ':AAAA:', ':=:', `:${Buffer.alloc(64).toString('base64')}:`, 'jwt="eyJhbGciOiJFZERTQSJ9.e30.AA"', 'jwt="a.b.c"', 'jwt=""', 'id="http://127.0.0.1:1"', 'id="not a url"', 'kid="k"', 'dwk="aauth-agent.json"', 'dwk="../x"', 'well-known="aauth-agent.json"', 'well-known="../x"',
  'require=auth-token', 'resource-token="x"', 'sha-256=:AAAA:', 'sha-512=:=:', 'sha-256=x', '\\', '\t',
);
const structured = fc.array(fragments, { maxLength: 24 }).map((parts) => parts.join(''));
const garbage = fc.oneof(printable, structured);
const names = [PROFILE.headers.signature, PROFILE.headers.signatureInput, PROFILE.headers.signatureKey, PROFILE.headers.contentDigest, PROFILE.headers.challenge, PROFILE.headers.contentType];

function expectClientAnswer(reply: Reply): void {
  expect(reply.status).toBeLessThan(500);
  if (reply.status >= 400) {
    const json = JSON.parse(reply.body) as { error?: unknown; error_description?: unknown };
    expect(typeof json.error).toBe('string');
    expect(typeof json.error_description).toBe('string');
  }
}

const LIMITS = { numRuns: 150, interruptAfterTimeLimit: 15_000 };

test('garbage AAuth headers never get a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST'), fc.constantFrom('/open', '/pseudo', '/data'),
      fc.dictionary(fc.constantFrom(...names), garbage, { maxKeys: names.length }),
      async (method, path, headers) => {
        const reply = await send(method, path, headers, method === 'POST' ? '{"a":1}' : undefined);
        expectClientAnswer(reply);
      },
    ),
    LIMITS,
  );
  expect(unexpected).toEqual([]);
}, 60_000);

test('a valid signature with one header replaced by garbage never gets a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST'), fc.constantFrom('/pseudo', '/data'), fc.constantFrom(...names), garbage, fc.boolean(),
      async (method, path, name, value, useAgentToken) => {
        const url = `${resource.url}${path}`;
        const body = method === 'POST' ? '{"a":1}' : undefined;
        const base: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
        const signed = signRequest({ method, url, headers: base, body }, { key: delegate, signatureKey: useAgentToken ? { scheme: 'jwt', jwt: agentToken } : { scheme: 'hwk' } });
        const reply = await send(method, path, { ...base, ...signed, [name.toLowerCase()]: value }, body);
        expectClientAnswer(reply);
      },
    ),
    LIMITS,
  );
  expect(unexpected).toEqual([]);
}, 60_000);
