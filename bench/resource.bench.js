// Resource middleware throughput: a hello-world route behind aauth() + requireAuth() with a warm
// auth token, against the same route without the middleware, autocannon over loopback. The
// servers run in a worker thread, so the load generator does not share their event loop.
//
// A warm request cannot cost less than the plain route plus one Ed25519 verify (the request
// signature; the auth token's verdict is cached), so the ceiling of guarded/plain is
// verify / (verify + plain), raw verify measured in the same round; the figure is the share of
// that ceiling reached. The same floor is also measured directly, as a route that does the plain
// work plus one raw verify in the same server under the same load: raw verify measured on an idle
// thread runs faster than it does beside a busy load generator, which the computed ceiling misses.
// The server thread's own CPU time per request is read too (Linux): on a 2-core machine the load
// generator's share of the CPU moves throughput from run to run, and CPU time per request much less.
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { serveIssuer } from './documents.js';
import { ROUNDS, fmt, median, rawCrypto, row, startWorker } from './harness.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 2); // seconds per figure per round, in two half runs
const CONNECTIONS = 10;

/**
 * CPU time this thread has run, ns (Linux `/proc/thread-self/schedstat`, first field); undefined
 * where there is no such file. Read in the server's thread around a run, it counts the server's
 * own work however busy the load generator keeps the other core.
 */
function threadCpuNs() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

async function serve() {
  const express = (await import('express')).default;
  const { createAuthToken, generateSigningKey, signRequest } = await import('@aauth-ts/core');
  const { aauth, aauthErrorHandler } = await import('@aauth-ts/resource');
  const listen = (app) => new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });

  const asKey = generateSigningKey();
  const { issuer, server: asServer } = await serveIssuer(asKey);

  const guarded = express();
  const guardedServer = await listen(guarded);
  const resource = `http://127.0.0.1:${guardedServer.address().port}`;
  const guard = aauth({ resource, signingKey: generateSigningKey(), authServer: issuer, development: true });
  // The same guard mounted on the route itself, ahead of the app-level layer (which it never
  // reaches): express's router then matches one layer per request instead of two.
  guarded.get('/routed', guard, guard.requireAuth({ scope: 'hello' }), (_q, r) => r.json({ hello: 'world' }));
  guarded.use(guard);
  guarded.get('/hello', guard.requireAuth({ scope: 'hello' }), (_q, r) => r.json({ hello: 'world' }));
  guarded.use(aauthErrorHandler());

  const plain = express();
  plain.get('/hello', (_q, r) => r.json({ hello: 'world' }));
  // The floor measured rather than computed: the plain route plus the one verify a warm request
  // needs, over a message the size of a request's signature base, in the same server.
  const { generateKeyPairSync, sign: rawSign, verify: rawVerify } = await import('node:crypto');
  const floorKey = generateKeyPairSync('ed25519');
  const floorMessage = Buffer.alloc(700, 0x61);
  const floorSignature = rawSign(null, floorMessage, floorKey.privateKey);
  plain.get('/floor', (_q, r) => {
    if (!rawVerify(null, floorMessage, floorKey.publicKey, floorSignature)) throw new Error('the floor signature does not verify');
    r.json({ hello: 'world' });
  });
  const plainServer = await listen(plain);

  const delegate = generateSigningKey();
  const token = await createAuthToken(asKey, { iss: issuer, aud: resource, agent: 'http://127.0.0.1:1', cnfJwk: delegate.publicJwk, scope: 'hello', lifetimeSeconds: 600 });
  const url = `${resource}/hello`;
  // Re-signed each round by the main thread's request (`created` must stay within the window).
  const sign = (target = url) => signRequest({ method: 'GET', url: target, headers: {} }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: token } });
  const warm = await fetch(url, { headers: sign() });
  if (warm.status !== 200) throw new Error(`warm-up request answered ${warm.status}: ${await warm.text()}`);
  const plainOrigin = `http://127.0.0.1:${plainServer.address().port}`;
  parentPort.postMessage({ guarded: url, routed: `${resource}/routed`, plain: `${plainOrigin}/hello`, floor: `${plainOrigin}/floor`, headers: sign() });
  parentPort.on('message', (m) => {
    if (m === 'sign') return void parentPort.postMessage(sign());
    if (m === 'sign routed') return void parentPort.postMessage(sign(`${resource}/routed`));
    if (m === 'cpu') return void parentPort.postMessage(threadCpuNs());
    for (const s of [asServer, guardedServer, plainServer]) { s.closeAllConnections(); s.close(); }
  });
}

export default async function resourceBench() {
  const autocannon = (await import('autocannon')).default;
  const worker = startWorker(new URL(import.meta.url), { role: 'resource' });
  const ready = await worker.ready;
  /** Requests, seconds and the server thread's CPU time (µs; NaN where unknown) of one run. */
  const measure = async (url, headers, seconds) => {
    const before = await worker.ask('cpu');
    const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
    const after = await worker.ask('cpu');
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { requests: result.requests.total, seconds: result.duration, cpu: before === undefined ? NaN : (after - before) / 1000 };
  };
  await measure(ready.plain, {}, DURATION);
  await measure(ready.guarded, ready.headers, DURATION); // warm-up
  await measure(ready.routed, await worker.ask('sign routed'), DURATION);
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each figure is two half runs in the order A B C D D C B A (the raw verify before and after),
    // so a machine that speeds up or slows down during the round weighs on every figure alike.
    const targets = { plain: [ready.plain, {}], floor: [ready.floor, {}], guarded: [ready.guarded, await worker.ask('sign')], routed: [ready.routed, await worker.ask('sign routed')] };
    const order = Object.keys(targets);
    const runs = Object.fromEntries(order.map((k) => [k, []]));
    const verifyBefore = rawCrypto(150).verify;
    for (const name of [...order, ...[...order].reverse()]) runs[name].push(await measure(...targets[name], DURATION / 2));
    const verify = (verifyBefore + rawCrypto(150).verify) / 2;
    const sum = (name, k) => runs[name].reduce((total, run) => total + run[k], 0);
    const rate = (name) => sum(name, 'requests') / sum(name, 'seconds');
    const cpu = (name) => sum(name, 'cpu') / sum(name, 'requests');
    const [plain, floor, guarded, routed] = order.map(rate);
    const ceiling = verify / (verify + plain);
    rounds.push({
      verify, plain, floor, guarded, ceiling, ratio: guarded / plain, ofFloor: guarded / floor, routed, routedOfFloor: routed / floor,
      plainCpu: cpu('plain'), floorCpu: cpu('floor'), guardedCpu: cpu('guarded'), routedCpu: cpu('routed'), cpuOfFloor: cpu('floor') / cpu('guarded'),
    });
  }
  await worker.stop();
  const m = (k) => median(rounds.map((r) => r[k]));
  return {
    title: 'resource middleware: GET /hello behind aauth() + requireAuth(), warm auth token',
    note: `autocannon ${CONNECTIONS} connections in the main thread, servers in a worker thread; ${ROUNDS} rounds after a warm-up, each measuring plain, floor, guarded, routed and again in reverse order, ${DURATION / 2} s per run (${DURATION} s per figure), raw verify before and after`,
    rows: [
      row('raw node:crypto Ed25519 verify', `${fmt(m('verify'))} ops/s`),
      row('express route without aauth', `${fmt(m('plain'))} req/s`),
      row('express route with aauth + requireAuth', `${fmt(m('guarded'))} req/s`, { ratio: m('ratio'), baseline: 'the route without aauth' }),
      row('ceiling of that ratio: verify / (verify + plain)', m('ceiling').toFixed(2)),
      row('share of the ceiling reached', '', { ratio: median(rounds.map((r) => r.ratio / r.ceiling)), baseline: 'ceiling, same round', target: '≥ 0.90' }),
      row('express route + one raw verify (the floor, measured)', `${fmt(m('floor'))} req/s`),
      row('route with aauth + requireAuth / that floor', '', { ratio: m('ofFloor'), baseline: 'the measured floor, same round' }),
      row('aauth + requireAuth on the route itself (no app.use layer)', `${fmt(m('routed'))} req/s`, { ratio: m('routedOfFloor'), baseline: 'the measured floor, same round' }),
      ...(Number.isNaN(m('guardedCpu')) ? [] : [
        row('server thread CPU per request: plain / floor / guarded / routed', `${m('plainCpu').toFixed(1)} / ${m('floorCpu').toFixed(1)} / ${m('guardedCpu').toFixed(1)} / ${m('routedCpu').toFixed(1)} µs`),
        row('floor CPU / guarded CPU per request', '', { ratio: m('cpuOfFloor'), baseline: 'the floor route, same round (CPU time, not throughput)' }),
      ]),
    ],
  };
}

if (!isMainThread && workerData?.role === 'resource') await serve();
