/**
 * Caches keyed on what unauthenticated callers choose stay bounded: a flood of requests, each from
 * a fresh agent identifier (`jwks_uri` scheme), each with a fresh valid agent token (`jwt`), and
 * each naming an agent whose metadata cannot be fetched, against a real resource and a real agent
 * server on loopback. The assertions are on the caches' sizes, not on heap or timings.
 */
import { PROFILE, createAgentToken, generateSigningKey, signRequest, toJwks } from '@aauth-ts/core';
import { AAuthResource } from '@aauth-ts/resource';
import express from 'express';
import { listen, startAuthServer, type AuthServer, type Running } from './fixtures.js';

const RESOURCE = 'https://resource.example';
const agentKey = generateSigningKey('Ed25519', 'agent-key');
let as: AuthServer;
let agents: Running;
let port: string;

beforeAll(async () => {
  as = await startAuthServer();
  // Every `*.localhost` name is an agent server of its own (RFC 6761: loopback), named by Host.
  agents = await listen(() => {
    const app = express();
    app.get(`/.well-known/${PROFILE.wellKnown.agent}`, (req, res) => {
      const id = `http://${String(req.headers.host)}`;
      res.json({ agent: id, jwks_uri: `${id}/jwks.json` });
    });
    app.get('/jwks.json', (_req, res) => { res.json(toJwks([agentKey])); });
    return app;
  });
  port = new URL(agents.url).port;
});

afterAll(async () => {
  await Promise.all([as.close(), agents.close()]);
});

function resource(): AAuthResource {
  return new AAuthResource({
    resource: RESOURCE, signingKey: generateSigningKey(), authServer: as.issuer, development: true, replay: false,
    fetcher: { cacheEntries: 20, cacheBytes: 16 * 1024, failureTtlMs: 60_000 },
    tokenCache: { maxEntries: 10, maxBytes: 64 * 1024 },
  });
}

function request(key: typeof agentKey, signatureKey: Parameters<typeof signRequest>[1]['signatureKey']) {
  const url = `${RESOURCE}/data`;
  return { method: 'GET', url, headers: { ...signRequest({ method: 'GET', url, headers: {} }, { key, signatureKey }) } };
}

test('120 requests from fresh agent ids (jwks_uri) keep the document cache within its entry and byte bounds', async () => {
  const r = resource();
  for (let i = 0; i < 120; i++) {
    const id = `http://agent-${i}.localhost:${port}`;
    await expect(r.verify(request(agentKey, { scheme: 'jwks_uri', id, kid: 'agent-key' }))).resolves.toMatchObject({ agent: id });
  }
  const { documents } = r.cacheStats();
  expect(documents.entries).toBeLessThanOrEqual(20);
  expect(documents.bytes).toBeLessThanOrEqual(16 * 1024);
  expect(documents.inFlight).toBe(0);
});

test('120 fresh valid agent tokens keep the verified-token cache within its entry and byte bounds', async () => {
  const r = resource();
  for (let i = 0; i < 120; i++) {
    const iss = `http://agent-${i}.localhost:${port}`;
    const delegate = generateSigningKey();
    // A padded `sub` makes each token long, so the byte bound is the one that bites.
    const jwt = await createAgentToken(agentKey, { iss, sub: `delegate-${i}-${'p'.repeat(4000)}`, cnfJwk: delegate.publicJwk });
    await expect(r.verify(request(delegate, { scheme: 'jwt', jwt }))).resolves.toMatchObject({ agent: iss, tokenType: 'agent' });
  }
  const { tokens, documents } = r.cacheStats();
  expect(tokens?.entries).toBeLessThanOrEqual(10);
  expect(tokens?.bytes).toBeLessThanOrEqual(64 * 1024);
  expect(documents.entries).toBeLessThanOrEqual(20);
});

test('120 agent ids whose metadata cannot be fetched keep the remembered failures within the bounds', async () => {
  const r = resource();
  const closed = await listen(() => express());
  const closedPort = new URL(closed.url).port;
  await closed.close();
  for (let i = 0; i < 120; i++) {
    const id = `http://dead-${i}.localhost:${closedPort}`;
    await expect(r.verify(request(agentKey, { scheme: 'jwks_uri', id, kid: 'agent-key' }))).rejects.toMatchObject({ status: 401 });
  }
  const { documents } = r.cacheStats();
  expect(documents.entries).toBeLessThanOrEqual(20);
  expect(documents.bytes).toBeLessThanOrEqual(16 * 1024);
});
