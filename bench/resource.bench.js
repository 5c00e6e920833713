// Resource middleware throughput: a hello-world route behind aauth() + requireAuth() with a warm
// auth token, against the same route without the middleware; autocannon over loopback. The
// servers run in a worker thread so the load generator does not share their event loop. Raw
// node:crypto Ed25519 verification of the same signature base is measured in the same run.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { sign, verify } from 'node:crypto';

const DURATION = 2; // seconds per autocannon run
const ROUNDS = 3; // alternating runs of each route after a warm-up run; the best of each counts
const CONNECTIONS = 10;

async function serve() {
  const express = (await import('express')).default;
  const { createAuthToken, generateSigningKey, signRequest, toJwks, PROFILE } = await import('@aauth-ts/core');
  const { aauth, aauthErrorHandler } = await import('@aauth-ts/resource');
  const listen = (app) => new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });

  const asKey = generateSigningKey();
  const asApp = express();
  const asServer = await listen(asApp);
  const issuer = `http://127.0.0.1:${asServer.address().port}/realms/bench`;
  asApp.get(`/realms/bench/.well-known/${PROFILE.wellKnown.issuer}`, (_q, r) => r.json({ issuer, token_endpoint: `${issuer}/t`, interaction_endpoint: `${issuer}/i`, jwks_uri: `${issuer}/certs` }));
  asApp.get('/realms/bench/certs', (_q, r) => r.json(toJwks([asKey])));

  const guarded = express();
  const guardedServer = await listen(guarded);
  const resource = `http://127.0.0.1:${guardedServer.address().port}`;
  const guard = aauth({ resource, signingKey: generateSigningKey(), authServer: issuer, development: true });
  guarded.use(guard);
  guarded.get('/hello', guard.requireAuth({ scope: 'hello' }), (_q, r) => r.json({ hello: 'world' }));
  guarded.use(aauthErrorHandler());

  const plain = express();
  plain.get('/hello', (_q, r) => r.json({ hello: 'world' }));
  const plainServer = await listen(plain);

  const delegate = generateSigningKey();
  const token = await createAuthToken(asKey, { iss: issuer, aud: resource, agent: 'http://127.0.0.1:1', cnfJwk: delegate.publicJwk, scope: 'hello', lifetimeSeconds: 600 });
  const url = `${resource}/hello`;
  const headers = signRequest({ method: 'GET', url, headers: {} }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: token } });
  const warm = await fetch(url, { headers });
  if (warm.status !== 200) throw new Error(`warm-up request answered ${warm.status}: ${await warm.text()}`);
  parentPort.postMessage({ guarded: url, plain: `http://127.0.0.1:${plainServer.address().port}/hello`, headers });
  parentPort.once('message', () => { for (const s of [asServer, guardedServer, plainServer]) { s.closeAllConnections(); s.close(); } });
}

function rawVerifyOps() {
  const { generateKeyPairSync } = globalThis.__nodeCrypto;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const data = Buffer.from('"@method": GET\n"@authority": 127.0.0.1:1\n"@path": /hello\n"signature-key": sig=jwt;jwt="…"\n"@signature-params": ("@method" "@authority" "@path" "signature-key");created=1');
  const signature = sign(null, data, privateKey);
  let n = 0;
  const start = process.hrtime.bigint();
  const until = start + 1_000_000_000n;
  while (process.hrtime.bigint() < until) {
    for (let i = 0; i < 100; i++) verify(null, data, publicKey, signature);
    n += 100;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function main() {
  globalThis.__nodeCrypto = await import('node:crypto');
  const autocannon = (await import('autocannon')).default;
  const worker = new Worker(new URL(import.meta.url));
  const ready = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  const run = async (url, headers) => {
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  };
  const raw = rawVerifyOps();
  // The two routes alternate, so a busy machine slows both alike instead of skewing the ratio.
  let plain = 0;
  let guarded = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const p = await run(ready.plain, {});
    const g = await run(ready.guarded, ready.headers);
    if (round > 0) {
      plain = Math.max(plain, p);
      guarded = Math.max(guarded, g);
    }
  }
  worker.postMessage('stop');
  await worker.terminate();
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log('resource middleware (GET /hello, warm auth token, autocannon %d connections × %d s, loopback)', CONNECTIONS, DURATION);
  console.log('  raw node:crypto Ed25519 verify      %s ops/s', fmt(raw));
  console.log('  express route without aauth         %s req/s', fmt(plain));
  console.log('  express route with aauth+requireAuth %s req/s', fmt(guarded));
  console.log('  ratio with/without middleware       %s', (guarded / plain).toFixed(2));
  console.log('  ratio with middleware / raw verify  %s', (guarded / raw).toFixed(3));
}

if (isMainThread) await main();
else await serve();
