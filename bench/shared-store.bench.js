// Shared stores (@aauth-ts/store-redis) against the in-memory default, measured in the same run
// against a redis-server started here on loopback (skipped with a message where it is absent):
//  1. resource throughput: POST /notes behind aauth() + requireSignature(), every request freshly
//     signed (so the replay check runs and passes), replay cache in memory vs in Redis; the two
//     alternate, so a busy machine slows both alike; the ratio is Redis / memory.
//  2. token requests/s (resource token → auth token, autonomous agent) against one embedded auth
//     server with in-memory stores, one with Redis, and two sharing Redis behind round-robin.
//  3. the price of detecting a flushed Redis: RedisStore's remember-once (a script reading the
//     memory marker, then SET NX PX) against a bare SET NX PX on the same client, alternating.
// Servers run in worker threads, so the load generator does not share their event loop.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDocuments } from './documents.js';

const DURATION = 2; // seconds per autocannon run
const ROUNDS = 3; // alternating runs after a warm-up run; the best of each counts
const CONNECTIONS = 10;
const REQUESTS = Number(process.env.BENCH_EXCHANGES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function serveResources({ redisUrl }) {
  const express = (await import('express')).default;
  const { generateSigningKey } = await import('@aauth-ts/core');
  const { aauth, aauthErrorHandler, captureRawBody } = await import('@aauth-ts/resource');
  const { RedisStore } = await import('@aauth-ts/store-redis');
  const store = await RedisStore.connect(redisUrl);
  const servers = [];
  const start = async (options) => {
    const app = express();
    const server = await new Promise((resolve) => { const s = http.createServer(app).listen(0, '127.0.0.1', () => resolve(s)); });
    servers.push(server);
    const resource = `http://127.0.0.1:${server.address().port}`;
    app.use(express.json({ verify: captureRawBody }));
    const guard = aauth({ resource, signingKey: generateSigningKey(), authServer: `${resource}/realms/bench`, development: true, replay: { maxEntries: 10_000_000 }, ...options });
    app.use(guard);
    app.post('/notes', guard.requireSignature(), (_q, r) => r.json({ ok: true }));
    app.use(aauthErrorHandler());
    return resource;
  };
  parentPort.postMessage({ memory: await start({}), redis: await start({ store }) });
  parentPort.once('message', async () => { for (const s of servers) { s.closeAllConnections(); s.close(); } await store.close(); });
}

async function serveAuthServer({ realm, origin, port, keyFile, redisUrl }) {
  const { createAuthServer } = await import('@aauth-ts/auth-server');
  const store = redisUrl === undefined ? undefined : await (await import('@aauth-ts/store-redis')).RedisStore.connect(redisUrl);
  const server = createAuthServer({ realm, origin, keyFile, log: () => undefined, maxJtis: 10_000_000, maxJtisPerAgent: 10_000_000, ...(store === undefined ? {} : { store }) });
  await server.listen(port);
  parentPort.postMessage('listening');
  parentPort.once('message', async () => { await server.close(); await store?.close(); });
}

function startWorker(data) {
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  const ready = new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  return { ready, stop: async () => { worker.postMessage('stop'); await new Promise((r) => setTimeout(r, 50)); await worker.terminate(); } };
}

async function resourceFigures(redisUrl) {
  const autocannon = (await import('autocannon')).default;
  const { generateSigningKey, signRequest } = await import('@aauth-ts/core');
  const key = generateSigningKey();
  const servers = startWorker({ role: 'resources', redisUrl });
  const urls = await servers.ready;
  let n = 0;
  const run = async (resource) => {
    const url = `${resource}/notes`;
    const result = await autocannon({
      url, connections: CONNECTIONS, duration: DURATION,
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const body = JSON.stringify({ n: n++ });
          const headers = { 'content-type': 'application/json' };
          return { ...req, body, headers: { ...headers, ...signRequest({ method: 'POST', url, headers, body }, { key, signatureKey: { scheme: 'hwk' } }) } };
        },
      }],
    });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  };
  let memory = 0;
  let redis = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const m = await run(urls.memory);
    const r = await run(urls.redis);
    if (round > 0) {
      memory = Math.max(memory, m);
      redis = Math.max(redis, r);
    }
  }
  await servers.stop();
  console.log('resource replay cache: memory vs Redis (POST /notes, fresh hwk signature per request, autocannon %d connections × %d s, loopback)', CONNECTIONS, DURATION);
  console.log(`  replay cache in memory (default)     ${fmt(memory)} req/s`);
  console.log(`  replay cache in Redis (RedisStore)   ${fmt(redis)} req/s`);
  console.log(`  ratio Redis / memory                 ${(redis / memory).toFixed(2)}`);
}

async function tokenFigures(redisUrl, freePort) {
  const { PROFILE, createAgentToken, createResourceToken, generateSigningKey, signRequest, toJwks } = await import('@aauth-ts/core');
  const agentKey = generateSigningKey('Ed25519', 'server');
  const delegate = generateSigningKey('Ed25519', 'delegate');
  const resourceKey = generateSigningKey('Ed25519', 'resource');
  const agent = await serveDocuments((id) => new Map([['/jwks.json', toJwks([agentKey])], [`/.well-known/${PROFILE.wellKnown.agent}`, { agent: id, jwks_uri: `${id}/jwks.json` }]]));
  const resource = await serveDocuments((id) => new Map([['/jwks.json', toJwks([resourceKey])], [`/.well-known/${PROFILE.wellKnown.resource}`, { resource: id, jwks_uri: `${id}/jwks.json` }]]));
  const realm = {
    realm: 'bench',
    attributes: { 'aauth.allowLoopback': 'true' },
    clientScopes: [{ name: 'data:read', attributes: { 'aauth.resource': resource.id } }],
    clients: [
      { clientId: agent.id, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['data:read'] },
      { clientId: resource.id, attributes: { 'aauth.resource': 'true' } },
    ],
  };
  const agentToken = await createAgentToken(agentKey, { iss: agent.id, sub: 'delegate', cnfJwk: delegate.publicJwk });
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

  // `ports` serve one issuer (`origin`, the first port's): requests alternate between them.
  const measure = async (instances, store) => {
    const dir = mkdtempSync(join(tmpdir(), 'aauth-bench-'));
    const ports = [];
    for (let i = 0; i < instances; i++) ports.push(await freePort());
    const origin = `http://127.0.0.1:${ports[0]}`;
    const issuer = `${origin}/realms/bench`;
    const tokenEndpoint = `${issuer}/protocol/aauth/token`;
    const workers = [];
    // One after the other: the first writes the realm's key file, the others read the same keys.
    for (const port of ports) {
      const w = startWorker({ role: 'auth-server', realm, origin, port, keyFile: join(dir, 'keys.json'), ...(store ? { redisUrl } : {}) });
      await w.ready;
      workers.push(w);
    }
    const prepare = async (n) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const rt = await createResourceToken(resourceKey, { iss: resource.id, aud: issuer, agent: agent.id, agentJkt: delegate.thumbprint, scope: 'data:read' });
        const body = JSON.stringify({ resource_token: rt });
        const headers = { 'content-type': 'application/json' };
        Object.assign(headers, signRequest({ method: 'POST', url: tokenEndpoint, headers, body }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: agentToken } }));
        out.push({ headers: { ...headers, host: new URL(origin).host }, body, port: ports[i % ports.length] });
      }
      return out;
    };
    const post = (prepared) => new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: prepared.port, path: new URL(tokenEndpoint).pathname, method: 'POST', headers: prepared.headers, agent: keepAlive }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(prepared.body);
    });
    const run = async (batch) => {
      let next = 0;
      let failures = 0;
      const one = async () => { while (next < batch.length) if ((await post(batch[next++])) !== 200) failures += 1; };
      const start = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, one));
      const ms = performance.now() - start;
      if (failures > 0) throw new Error(`shared-store bench: ${failures} token requests failed`);
      return (batch.length * 1000) / ms;
    };
    // Both batches are signed first: a pause between runs would let the servers close idle
    // keep-alive sockets under the client (ECONNRESET on a busy machine).
    const [warm, timed] = [await prepare(200), await prepare(REQUESTS)];
    await run(warm); // warm-up: metadata/JWKS caches, JIT
    const perSecond = await run(timed);
    for (const w of workers) await w.stop();
    rmSync(dir, { recursive: true, force: true });
    return perSecond;
  };

  const one = await measure(1, false);
  const oneRedis = await measure(1, true);
  const twoRedis = await measure(2, true);
  keepAlive.destroy();
  agent.server.close();
  resource.server.close();
  console.log(`auth-server: token requests (resource token → auth token, autonomous agent, concurrency ${CONCURRENCY}, loopback)`);
  console.log(`  one server, in-memory stores         ${fmt(one)} requests/s`);
  console.log(`  one server, Redis                    ${fmt(oneRedis)} requests/s`);
  console.log(`  two servers sharing Redis            ${fmt(twoRedis)} requests/s  (${(twoRedis / oneRedis).toFixed(2)}× one with Redis)`);
}

async function rememberOnceFigures(redisUrl) {
  const { RedisStore } = await import('@aauth-ts/store-redis');
  const store = await RedisStore.connect(redisUrl, { keyPrefix: 'bench:' });
  const ops = 20_000;
  let n = 0;
  const run = async (add) => {
    const start = process.hrtime.bigint();
    let sent = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (sent < ops) { sent++; await add(`k${n++}`); } }));
    return ops / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  const bare = (key) => store.client.set(`bench:${key}`, '1', 'PX', 60_000, 'NX');
  const detecting = (key) => store.add(key, '1', 60_000);
  await run(bare);
  await run(detecting);
  const best = { bare: 0, detecting: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    best.bare = Math.max(best.bare, await run(bare));
    best.detecting = Math.max(best.detecting, await run(detecting));
  }
  await store.close();
  console.log(`Redis remember-once (${fmt(ops)} adds per run, ${CONCURRENCY} in flight, best of ${ROUNDS}, loopback)`);
  console.log(`  SET NX PX alone                      ${fmt(best.bare)} ops/s`);
  console.log(`  RedisStore.add (flush detected)      ${fmt(best.detecting)} ops/s`);
  console.log(`  ratio detecting / alone              ${(best.detecting / best.bare).toFixed(2)}`);
}

async function main() {
  const { RedisServer, freePort, redisMissing } = await import('../scripts/redis-server.mjs');
  const missing = redisMissing();
  if (missing !== undefined) {
    console.log(`shared stores: skipped, ${missing}`);
    return;
  }
  const redis = await RedisServer.start();
  try {
    await resourceFigures(redis.url);
    await tokenFigures(redis.url, freePort);
    await rememberOnceFigures(redis.url);
  } finally {
    await redis.stop();
  }
}

if (isMainThread) await main();
else if (workerData.role === 'resources') await serveResources(workerData);
else await serveAuthServer(workerData);
