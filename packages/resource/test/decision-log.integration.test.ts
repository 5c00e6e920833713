/**
 * The resource writes one structured line per decision to the `logger` option (a real pino logger
 * writing to a captured stream): agent, resource, scope, user, outcome, error code, duration. A
 * failed metadata fetch's detail goes to the same logger. Identifiers only: no token, signature or
 * key material ever reaches a line.
 */
import express from 'express';
import { pino } from 'pino';
import { generateSigningKey, type SigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler } from '@aauth-ts/resource';
import { captureLog } from '../../../conformance/support/log-capture.js';
import { listen, signedFetch, startAgentServer, startAuthServer, type AgentServer, type AuthServer, type Running } from './fixtures.js';

const { stream: sink, lines, raw } = captureLog();

let as: AuthServer;
let agentServer: AgentServer;
let resource: Running;
let closedOrigin: string;
const delegate: SigningKey = generateSigningKey();

beforeAll(async () => {
  as = await startAuthServer();
  agentServer = await startAgentServer();
  const closed = await listen(() => express());
  closedOrigin = closed.url;
  await closed.close();
  resource = await listen((url) => {
    const app = express();
    const guard = aauth({ resource: url, signingKey: generateSigningKey(), authServer: as.issuer, development: true, logger: pino({ level: 'info' }, sink) });
    app.use(guard);
    app.get('/data', guard.requireAuth({ scope: 'data.read' }), (_req, res) => { res.json({ ok: true }); });
    app.get('/identity', guard.requireIdentity(), (_req, res) => { res.json({ ok: true }); });
    app.use(aauthErrorHandler({ log: () => undefined }));
    return app;
  });
});

afterAll(async () => {
  await Promise.all([as.close(), agentServer.close(), resource.close()]);
});

const decisions = (): Record<string, unknown>[] => lines.filter((l) => l.msg === 'aauth decision');

test('a granted request logs one line with agent, resource, scope, user, outcome and duration, and no token', async () => {
  const token = await as.mint({ aud: resource.url, agent: agentServer.id, cnfJwk: delegate.publicJwk, sub: 'user-1', scope: 'data.read' });
  const before = decisions().length;
  const res = await signedFetch(resource.url, 'GET', '/data', { key: delegate, signatureKey: { scheme: 'jwt', jwt: token } });
  expect(res.status).toBe(200);
  const logged = decisions().slice(before);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ level: 30, component: 'resource', decision: 'auth-token', outcome: 'granted', status: 200, agent: agentServer.id, resource: resource.url, scope: 'data.read', user: 'user-1' });
  expect(logged[0]!.error).toBeUndefined();
  expect(typeof logged[0]!.duration_ms).toBe('number');
  const text = raw.join('\n');
  for (const part of token.split('.')) expect(text).not.toContain(part);
});

test('a refused request logs the refusal with its error code, and no token, signature or key', async () => {
  const agentToken = await agentServer.agentToken(delegate);
  const before = decisions().length;
  const res = await signedFetch(resource.url, 'GET', '/data', { key: delegate, signatureKey: { scheme: 'jwt', jwt: agentToken } });
  expect(res.status).toBe(401);
  const logged = decisions().slice(before);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ component: 'resource', decision: 'auth-token', outcome: 'refused', status: 401, error: res.json.error, agent: agentServer.id, resource: resource.url, scope: 'data.read' });
  const text = raw.join('\n');
  for (const part of agentToken.split('.')) expect(text).not.toContain(part);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  expect(text).not.toContain((delegate.publicJwk as { x?: string }).x ?? 'no-x');
  expect(text).not.toMatch(/sig=:|keyid=/);
});

test('a request whose signature fails verification is logged as refused with its code', async () => {
  const stale = Math.floor(Date.now() / 1000) - 3600;
  const before = decisions().length;
  const res = await signedFetch(resource.url, 'GET', '/identity', { key: delegate, signatureKey: { scheme: 'hwk' }, created: stale });
  expect(res.status).toBe(401);
  const logged = decisions().slice(before);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ component: 'resource', decision: 'verification', outcome: 'refused', status: 401, error: res.json.error, resource: resource.url });
});

test('a failed metadata fetch is logged as a warning through the same logger', async () => {
  const before = lines.length;
  const res = await signedFetch(resource.url, 'GET', '/identity', { key: delegate, signatureKey: { scheme: 'jwks_uri', id: closedOrigin, kid: delegate.kid } });
  expect(res.status).toBe(401);
  const warned = lines.slice(before).filter((l) => l.level === 40);
  expect(warned).toHaveLength(1);
  expect(String(warned[0]!.diagnostic)).toMatch(/ECONNREFUSED/);
});
