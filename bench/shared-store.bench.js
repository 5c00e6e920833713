// Shared stores (@aauth-ts/store-redis) against the in-memory default, measured in the same run
// against a redis-server started here on loopback (skipped with a message where it is absent):
//  1. resource throughput: POST /notes behind aauth() + requireSignature(), every request freshly
//     signed (so the replay check runs and passes), replay cache in memory vs in Redis; the two
//     alternate, so a busy machine slows both alike; the ratio is Redis / memory.
//  2. token requests/s (resource token → auth token, autonomous agent) against one embedded auth
//     server with in-memory stores, one with Redis, and two sharing Redis behind round-robin; a
//     request refused 503 (Redis slower than the store's timeout) is counted in the row, any
//     other refusal stops the bench.
//  3. the price of detecting a flushed Redis: RedisStore's remember-once (a script reading the
//     memory marker, then SET NX PX) against a bare SET NX PX on the same client, alternating.
// Servers run in worker threads, so the load generator does not share their event loop.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDocuments } from './documents.js';
import { ROUNDS, fmt, median, quietLogger, row, startWorker, withRedis } from './harness.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 2); // seconds per autocannon run
const CONNECTIONS = 10;
const REQUESTS = Number(process.env.BENCH_EXCHANGES ?? 400); // token requests per round and configuration
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
// The bench's own stores wait longer for Redis than the 1 s default: on a loaded machine a slow
// answer is a slow request to measure, not an outage to answer 503 for.
const STORE_OPTIONS = { commandTimeoutMs: Number(process.env.BENCH_STORE_TIMEOUT_MS ?? 10_000) };

async function serveResources({ redisUrl }) {
  const express = (await import('express')).default;
  const { generateSigningKey } = await import('@aauth-ts/core');
  const { aauth, aauthErrorHandler, captureRawBody } = await import('@aauth-ts/resource');
  const { RedisStore } = await import('@aauth-ts/store-redis');
  const store = await RedisStore.connect(redisUrl, STORE_OPTIONS);
  const servers = [];
  const start = async (options) => {
    const app = express();
    const server = await new Promise((resolve) => { const s = http.createServer(app).listen(0, '127.0.0.1', () => resolve(s)); });
    servers.push(server);
    const resource = `http://127.0.0.1:${server.address().port}`;
    app.use(express.json({ verify: captureRawBody }));
    const guard = aauth({ resource, signingKey: generateSigningKey(), authServer: `${resource}/realms/bench`, development: true, replay: { maxEntries: 10_000_000 }, logger: quietLogger, ...options });
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
  const store = redisUrl === undefined ? undefined : await (await import('@aauth-ts/store-redis')).RedisStore.connect(redisUrl, STORE_OPTIONS);
  const server = createAuthServer({ realm, origin, keyFile, log: () => undefined, logger: quietLogger, maxJtis: 10_000_000, maxJtisPerAgent: 10_000_000, ...(store === undefined ? {} : { store }) });
  await server.listen(port);
  parentPort.postMessage('listening');
  parentPort.once('message', async () => { await server.close(); await store?.close(); });
}

async function resourceFigures(redisUrl) {
  const autocannon = (await import('autocannon')).default;
  const { generateSigningKey, signRequest } = await import('@aauth-ts/core');
  const key = generateSigningKey();
  const servers = startWorker(new URL(import.meta.url), { role: 'resources', redisUrl });
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
  await run(urls.memory);
  await run(urls.redis); // warm-up
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const memory = await run(urls.memory);
    const redis = await run(urls.redis);
    rounds.push({ memory, redis });
  }
  await servers.stop();
  return [
    row('replay cache in memory (default)', `${fmt(median(rounds.map((r) => r.memory)))} req/s`),
    row('replay cache in Redis (RedisStore)', `${fmt(median(rounds.map((r) => r.redis)))} req/s`, { ratio: median(rounds.map((r) => r.redis / r.memory)), baseline: 'replay cache in memory' }),
  ];
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

  // `ports` serve one issuer (`origin`, the first port's): requests alternate between them.
  const setup = async (instances, store) => {
    const dir = mkdtempSync(join(tmpdir(), 'aauth-bench-'));
    const ports = [];
    for (let i = 0; i < instances; i++) ports.push(await freePort());
    const origin = `http://127.0.0.1:${ports[0]}`;
    const issuer = `${origin}/realms/bench`;
    const tokenEndpoint = `${issuer}/protocol/aauth/token`;
    const workers = [];
    // One after the other: the first writes the realm's key file, the others read the same keys.
    for (const port of ports) {
      const w = startWorker(new URL(import.meta.url), { role: 'auth-server', realm, origin, port, keyFile: join(dir, 'keys.json'), ...(store ? { redisUrl } : {}) });
      await w.ready;
      workers.push(w);
    }
    const prepare = async (n) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const rt = await createResourceToken(resourceKey, { iss: resource.id, aud: issuer, agent: agent.id, agentJkt: delegate.thumbprint, scope: 'data:read' });
        out.push({ body: JSON.stringify({ resource_token: rt }), port: ports[i % ports.length] });
      }
      return out;
    };
    // Signed as it is sent, so `created` stays inside the window however slow the machine is.
    const signed = ({ body, port }) => {
      const headers = { 'content-type': 'application/json' };
      Object.assign(headers, signRequest({ method: 'POST', url: tokenEndpoint, headers, body }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: agentToken } }));
      return { headers: { ...headers, host: new URL(origin).host }, body, port };
    };
    const post = (prepared, keepAlive) => new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: prepared.port, path: new URL(tokenEndpoint).pathname, method: 'POST', headers: prepared.headers, agent: keepAlive }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(prepared.body);
    });
    // A 503 (the store did not answer in time) is counted and reported in the row; any other
    // answer but 200 is a failure of the bench.
    const run = async (batch) => {
      let next = 0;
      let refused = 0;
      const failures = [];
      // Fresh connections per run: signing the next batch is a pause long enough for the servers
      // to close idle keep-alive sockets under the client (ECONNRESET on a busy machine).
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
      const one = async () => {
        while (next < batch.length) {
          const status = await post(signed(batch[next++]), keepAlive);
          if (status === 503) refused += 1;
          else if (status !== 200) failures.push(status);
        }
      };
      const start = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, one));
      const ms = performance.now() - start;
      keepAlive.destroy();
      if (failures.length > 0) throw new Error(`shared-store bench: ${failures.length} token requests failed (status ${[...new Set(failures)].join(', ')})`);
      return { perSecond: (batch.length * 1000) / ms, refused };
    };
    return {
      prepare,
      run,
      stop: async () => {
        for (const w of workers) await w.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };

  const configurations = [await setup(1, false), await setup(1, true), await setup(2, true)];
  const rounds = [];
  for (let round = 0; round <= ROUNDS; round++) {
    // Each batch is signed just before its run: resource tokens are single-use and short-lived.
    const results = [];
    for (const c of configurations) results.push(await c.run(await c.prepare(round === 0 ? Math.min(200, REQUESTS) : REQUESTS)));
    if (round > 0) rounds.push(results); // round 0 warms the metadata/JWKS caches and the JIT
  }
  for (const c of configurations) await c.stop();
  agent.server.close();
  resource.server.close();
  const of = (i) => {
    const refused = rounds.reduce((sum, r) => sum + r[i].refused, 0);
    return `${fmt(median(rounds.map((r) => r[i].perSecond)))} requests/s${refused > 0 ? ` (${refused} of ${rounds.length * REQUESTS} refused 503)` : ''}`;
  };
  const ratio = (i, baseline) => median(rounds.map((r) => r[i].perSecond / r[baseline].perSecond));
  return [
    row('token requests, one server, in-memory stores', of(0)),
    row('token requests, one server, Redis', of(1), { ratio: ratio(1, 0), baseline: 'one server, in-memory stores' }),
    row('token requests, two servers sharing Redis', of(2), { ratio: ratio(2, 1), baseline: 'one server with Redis' }),
  ];
}

async function rememberOnceFigures(redisUrl) {
  const { RedisStore } = await import('@aauth-ts/store-redis');
  const store = await RedisStore.connect(redisUrl, { keyPrefix: 'bench:' });
  const ops = Number(process.env.BENCH_STORE_OPS ?? 20_000);
  let n = 0;
  const run = async (add) => {
    const start = process.hrtime.bigint();
    let sent = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (sent < ops) { sent++; await add(`k${n++}`); } }));
    return ops / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  const bare = (key) => store.client.set(`bench:${key}`, '1', 'PX', 60_000, 'NX');
  const detecting = (key) => store.add(key, '1', 60_000);
  await run(bare); // warm-up
  await run(detecting);
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push({ bare: await run(bare), detecting: await run(detecting) });
  await store.close();
  return [
    row('remember-once: SET NX PX alone', `${fmt(median(rounds.map((r) => r.bare)))} ops/s`),
    row('remember-once: RedisStore.add (flush detected)', `${fmt(median(rounds.map((r) => r.detecting)))} ops/s`, { ratio: median(rounds.map((r) => r.detecting / r.bare)), baseline: 'SET NX PX alone' }),
  ];
}

export default async function sharedStoreBench() {
  const { freePort } = await import('../scripts/redis-server.mjs');
  return withRedis('shared stores: in-memory against Redis (@aauth-ts/store-redis)', async (redisUrl) => ({
    note: `resource: POST /notes behind requireSignature(), a fresh hwk signature per request, autocannon ${CONNECTIONS} connections × ${DURATION} s; token requests: resource token → auth token, autonomous agent, ${REQUESTS} per round at concurrency ${CONCURRENCY}; remember-once: adds at concurrency ${CONCURRENCY}; Redis command timeout ${STORE_OPTIONS.commandTimeoutMs} ms; servers in worker threads, ${ROUNDS} alternating rounds after a warm-up`,
    rows: [...await resourceFigures(redisUrl), ...await tokenFigures(redisUrl, freePort), ...await rememberOnceFigures(redisUrl)],
  }));
}

if (!isMainThread && workerData?.role === 'resources') await serveResources(workerData);
if (!isMainThread && workerData?.role === 'auth-server') await serveAuthServer(workerData);
