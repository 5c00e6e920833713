// @aauth-ts/auth-server: token exchanges per second in call-chaining mode (resource_token +
// upstream_token) against the embedded server over loopback HTTP, warm metadata/JWKS caches,
// compared with the raw node:crypto cost of the cryptography one exchange needs, measured in the
// same run: 4 Ed25519 verifications (request signature, agent token, resource token, upstream
// token) + 1 Ed25519 signature (the issued auth token). Run with `npm run bench` (builds first).
//
// The load generator runs in the same process as the server; requests are signed before the
// timed window (each with its own fresh resource token, since resource tokens are single-use),
// so the figure is the server's cost per exchange plus loopback HTTP.
import http from 'node:http';
import { generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import {
  PROFILE, createAgentToken, createAuthToken, createResourceToken, generateSigningKey, signRequest, toJwks,
} from '@aauth-ts/core';
import { createAuthServer } from '@aauth-ts/auth-server';
import { serveDocuments } from './documents.js';

const EXCHANGES = Number(process.env.BENCH_EXCHANGES ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

// Parties: the intermediary (agent + resource) and the downstream resource.
const serverKey = generateSigningKey('Ed25519', 'server');
const delegate = generateSigningKey('Ed25519', 'delegate');
const downstreamKey = generateSigningKey('Ed25519', 'downstream');
const mid = await serveDocuments((id) => new Map([
  ['/jwks.json', toJwks([serverKey])],
  [`/.well-known/${PROFILE.wellKnown.agent}`, { agent: id, jwks_uri: `${id}/jwks.json` }],
  [`/.well-known/${PROFILE.wellKnown.resource}`, { resource: id, jwks_uri: `${id}/jwks.json` }],
]));
const down = await serveDocuments((id) => new Map([
  ['/jwks.json', toJwks([downstreamKey])],
  [`/.well-known/${PROFILE.wellKnown.resource}`, { resource: id, jwks_uri: `${id}/jwks.json` }],
]));

const authServer = createAuthServer({
  log: () => undefined,
  maxJtis: EXCHANGES * 2,
  realm: {
    realm: 'bench',
    attributes: { 'aauth.allowLoopback': 'true' },
    clientScopes: [{ name: 'down:read', attributes: { 'aauth.resource': down.id } }, { name: 'mid:use', attributes: { 'aauth.resource': mid.id } }],
    clients: [
      { clientId: mid.id, attributes: { 'aauth.agent': 'true', 'aauth.resource': 'true' }, optionalClientScopes: ['down:read'] },
      { clientId: down.id, attributes: { 'aauth.resource': 'true' } },
    ],
  },
});
const { issuer } = await authServer.listen(0);
const tokenEndpoint = `${issuer}/protocol/aauth/token`;

// An upstream token issued by this realm for the intermediary (as a previous hop would have).
const upstream = await createAuthToken(authServer.keys.active, {
  iss: issuer, aud: mid.id, agent: 'http://127.0.0.1:1', cnfJwk: generateSigningKey().publicJwk, sub: 'user-1', scope: 'mid:use', lifetimeSeconds: 3600,
});
const agentToken = await createAgentToken(serverKey, { iss: mid.id, sub: 'delegate', cnfJwk: delegate.publicJwk });

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function post(prepared) {
  return new Promise((resolve, reject) => {
    const req = http.request(tokenEndpoint, { method: 'POST', headers: prepared.headers, agent: keepAlive }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(prepared.body);
  });
}

async function prepare(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const rt = await createResourceToken(downstreamKey, { iss: down.id, aud: issuer, agent: mid.id, agentJkt: delegate.thumbprint, scope: 'down:read' });
    const body = JSON.stringify({ resource_token: rt, upstream_token: upstream });
    const headers = { 'content-type': 'application/json' };
    Object.assign(headers, signRequest({ method: 'POST', url: tokenEndpoint, headers, body }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: agentToken } }));
    out.push({ headers, body });
  }
  return out;
}

async function run(batch) {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < batch.length) {
      const res = await post(batch[next++]);
      if (res.status !== 200) failures += 1;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - start;
  if (failures > 0) throw new Error(`auth-server bench: ${failures} exchanges failed`);
  return (batch.length * 1000) / ms;
}

// Warm-up: fills the metadata/JWKS caches and the JIT.
await run(await prepare(200));
const exchangesPerSecond = await run(await prepare(EXCHANGES));

// Raw node:crypto cost of the same cryptography, same machine, same run.
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const message = Buffer.alloc(600, 7);
const signature = cryptoSign(null, message, privateKey);
function opsPerSecond(fn, ms = 400) {
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    ops += 100;
  }
  return (ops * 1000) / (performance.now() - start);
}
opsPerSecond(() => cryptoVerify(null, message, publicKey, signature), 100);
const verifyOps = opsPerSecond(() => cryptoVerify(null, message, publicKey, signature));
const signOps = opsPerSecond(() => cryptoSign(null, message, privateKey));
const rawExchangeSeconds = 4 / verifyOps + 1 / signOps;
const rawExchanges = 1 / rawExchangeSeconds;

console.log('auth-server: call-chaining token exchange (embedded server, loopback HTTP, warm caches)');
console.log(`  raw node:crypto Ed25519 verify      ${verifyOps.toFixed(0).padStart(10)} ops/s`);
console.log(`  raw node:crypto Ed25519 sign        ${signOps.toFixed(0).padStart(10)} ops/s`);
console.log(`  raw crypto per exchange (4 verify + 1 sign) ${rawExchanges.toFixed(0).padStart(7)} exchanges/s`);
console.log(`  token exchanges (concurrency ${CONCURRENCY})     ${exchangesPerSecond.toFixed(0).padStart(7)} exchanges/s`);
console.log(`  ratio exchanges / raw crypto bound   ${(exchangesPerSecond / rawExchanges).toFixed(3)} (${(rawExchanges / exchangesPerSecond).toFixed(1)}x the raw cost)`);

keepAlive.destroy();
await authServer.close();
await new Promise((r) => mid.server.close(r));
await new Promise((r) => down.server.close(r));
