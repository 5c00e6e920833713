/**
 * A resource is no DNS or port oracle: a caller naming an agent id whose metadata cannot be fetched
 * learns only a fixed sentence (the same for a closed port and a 404), while what the fetch found
 * goes to the resource's logger. Real express resource, real loopback servers.
 */
import type http from 'node:http';
import express from 'express';
import { generateSigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler } from '@aauth-ts/resource';
import { listen, signedFetch, startAuthServer, type AuthServer, type Running } from './fixtures.js';

let as: AuthServer;
let resource: Running;
let notFound: Running;
let closedOrigin: string;
const logged: string[] = [];

beforeAll(async () => {
  as = await startAuthServer();
  notFound = await listen(() => (_req: http.IncomingMessage, res: http.ServerResponse) => { res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing'); });
  const closed = await listen(() => express());
  closedOrigin = closed.url;
  await closed.close();
  resource = await listen((url) => {
    const app = express();
    const logger = { info: () => undefined, warn: (line: object) => { logged.push(String((line as { diagnostic?: unknown }).diagnostic)); } };
    const guard = aauth({ resource: url, signingKey: generateSigningKey(), authServer: as.issuer, development: true, logger });
    app.use(guard);
    app.get('/identity', guard.requireIdentity(), (_req, res) => { res.json({ ok: true }); });
    app.use(aauthErrorHandler());
    return app;
  });
});

afterAll(async () => {
  await Promise.all([as.close(), resource.close(), notFound.close()]);
});

test('a closed port and a 404 give the same 401 description, with no address, port, status or OS error; the detail is logged', async () => {
  const key = generateSigningKey('Ed25519', 'k1');
  const ask = (id: string) => signedFetch(resource.url, 'GET', '/identity', { key, signatureKey: { scheme: 'jwks_uri', id, kid: 'k1' } });
  const closed = await ask(closedOrigin);
  const missing = await ask(notFound.url);
  expect([closed.status, missing.status]).toEqual([401, 401]);
  expect(closed.json.error).toBe('invalid_signature');
  expect(missing.json.error_description).toBe(closed.json.error_description);
  const text = String(closed.json.error_description);
  for (const leak of [new URL(closedOrigin).port, new URL(notFound.url).port, '127.0.0.1', '404', 'HTTP', 'ECONNREFUSED']) expect(text).not.toContain(leak);
  expect(logged.join('\n')).toMatch(/ECONNREFUSED/);
  expect(logged.join('\n')).toMatch(/HTTP 404/);
});
