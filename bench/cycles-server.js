// One process for `bench/cycles.js` to run under valgrind: an express app on a loopback port and a
// client in the same process writing N pre-signed requests over 10 keep-alive connections, or N
// raw Ed25519 verifies in a loop. Usage: node bench/cycles-server.js <plain|floor|guarded|verify> <N>
//
// The routes are those of `resource.bench.js`: plain (the route alone, the signed headers sent all
// the same), floor (the route plus one raw verify of a message the size of a signature base) and
// guarded (`app.use(aauth())` + `requireAuth`, warm auth token). The clock is fixed, so one signed
// request stays valid however slowly the simulator runs.
import net from 'node:net';
import { generateKeyPairSync, sign as rawSign, verify as rawVerify } from 'node:crypto';
import { serveIssuer } from './documents.js';

const [kind, count] = [process.argv[2], Number(process.argv[3])];
const floorKey = generateKeyPairSync('ed25519');
const floorMessage = Buffer.alloc(700, 0x61);
const floorSignature = rawSign(null, floorMessage, floorKey.privateKey);

if (kind === 'verify') {
  for (let i = 0; i < count; i++) if (!rawVerify(null, floorMessage, floorKey.publicKey, floorSignature)) throw new Error('the floor signature does not verify');
  process.exit(0);
}
if (!['plain', 'floor', 'guarded'].includes(kind) || !Number.isInteger(count) || count < 1) {
  console.error('usage: node bench/cycles-server.js <plain|floor|guarded|verify> <N>');
  process.exit(2);
}

const express = (await import('express')).default;
const { createAuthToken, generateSigningKey, signRequest } = await import('@aauth-ts/core');
const { aauth, aauthErrorHandler } = await import('@aauth-ts/resource');
const listen = (app) => new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
const now = Math.floor(Date.now() / 1000);

const asKey = generateSigningKey();
const { issuer, server: asServer } = await serveIssuer(asKey);

const app = express();
const server = await listen(app);
// A stall of the simulated process must not close a connection between two requests.
server.keepAliveTimeout = 600_000;
const origin = `http://127.0.0.1:${server.address().port}`;
// Fetches under the simulator take far longer than the default timeout allows.
const guard = aauth({ resource: origin, signingKey: generateSigningKey(), authServer: issuer, development: true, now: () => now, fetcher: { timeoutMs: 120_000 } });
if (kind === 'guarded') {
  app.use(guard);
  app.get('/hello', guard.requireAuth({ scope: 'hello' }), (_q, r) => r.json({ hello: 'world' }));
  app.use(aauthErrorHandler());
} else {
  app.get('/hello', (_q, r) => {
    if (kind === 'floor' && !rawVerify(null, floorMessage, floorKey.publicKey, floorSignature)) throw new Error('the floor signature does not verify');
    r.json({ hello: 'world' });
  });
}

const delegate = generateSigningKey();
const token = await createAuthToken(asKey, { iss: issuer, aud: origin, agent: 'http://127.0.0.1:1', cnfJwk: delegate.publicJwk, scope: 'hello', lifetimeSeconds: 600 });
const headers = signRequest({ method: 'GET', url: `${origin}/hello`, headers: {} }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: token }, created: now });
const warm = await fetch(`${origin}/hello`, { headers });
if (warm.status !== 200) throw new Error(`warm-up request answered ${warm.status}: ${await warm.text()}`);

let head = `GET /hello HTTP/1.1\r\nHost: 127.0.0.1:${server.address().port}\r\n`;
for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
const request = Buffer.from(`${head}\r\n`);
let left = count;
await Promise.all(Array.from({ length: 10 }, () => new Promise((resolve, reject) => {
  const socket = net.connect(server.address().port, '127.0.0.1');
  socket.setNoDelay(true);
  const next = () => {
    if (left <= 0) { socket.destroy(); resolve(); return; }
    left--;
    socket.write(request);
  };
  socket.on('data', (chunk) => { if (chunk.indexOf('200 OK') < 0) reject(new Error(`unexpected answer: ${chunk.toString().slice(0, 200)}`)); else next(); });
  socket.on('connect', next);
  socket.on('error', reject);
})));
for (const s of [server, asServer]) { s.closeAllConnections(); s.close(); }
