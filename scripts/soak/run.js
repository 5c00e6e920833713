// `npm run soak`: a bounded soak of the embedded auth server and an aauth() express resource
// (not part of `npm test`). The servers run in a child process started with --expose-gc
// (scripts/soak/servers.js); this process generates the load with autocannon: a mix of valid signed
// requests and hostile ones (replays, broken signatures, unknown agent ids, oversized bodies; see
// traffic.js) against both servers at once, after a short warm-up.
//
// Prints throughput, answers by status and error code (per kind of request and in total), and the
// servers' heap used after a forced GC before and after the run. Fails (exit 1) when the heap grew
// by more than the bound, when any answer is a 5xx other than 503 (the intended answer of a full
// bounded store), when a request timed out, when a valid kind of request never succeeded, or when a
// server logged an unexpected error or its process saw an unhandled rejection.
//
//   npm run soak [-- --duration 60 --warmup 5 --connections 8 --max-heap-growth-mb 32]
//   (or SOAK_DURATION, SOAK_WARMUP, SOAK_CONNECTIONS, SOAK_MAX_HEAP_GROWTH_MB)
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createResourceToken, importSigningKey } from '@aauth-ts/core';
import { Tally, authServerSequence, resourceSequence } from './traffic.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: process.env.SOAK_DURATION ?? '60' },
    warmup: { type: 'string', default: process.env.SOAK_WARMUP ?? '5' },
    connections: { type: 'string', default: process.env.SOAK_CONNECTIONS ?? '8' },
    'max-heap-growth-mb': { type: 'string', default: process.env.SOAK_MAX_HEAP_GROWTH_MB ?? '32' },
  },
});
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const MAX_GROWTH_MB = Number(args['max-heap-growth-mb']);
for (const [name, value] of [['duration', DURATION], ['warmup', WARMUP], ['connections', CONNECTIONS], ['max-heap-growth-mb', MAX_GROWTH_MB]]) {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`soak: --${name} must be a non-negative number`);
}

const MB = 1024 * 1024;
const mb = (bytes) => `${(bytes / MB).toFixed(1)} MB`;

// ---- the servers' process -----------------------------------------------------------------
const child = fork(new URL('./servers.js', import.meta.url), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const replies = [];
const waiting = [];
child.on('message', (message) => {
  const resolve = waiting.shift();
  if (resolve) resolve(message);
  else replies.push(message);
});
const childExit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
function next() {
  return replies.length > 0 ? Promise.resolve(replies.shift()) : new Promise((resolve) => waiting.push(resolve));
}
async function report() {
  child.send({ type: 'report' });
  return next();
}

const ready = await Promise.race([next(), childExit.then((exit) => { throw new Error(`soak: the servers' process exited before it was ready (${JSON.stringify(exit)})`); })]);
const material = { ...ready, agent: { ...ready.agent, delegate: importSigningKey(ready.agent.delegate) }, resourceKey: importSigningKey(ready.resourceKey) };

// Fresh resource tokens (single use at the auth server), minted ahead so setupRequest stays synchronous.
const pool = [];
let minting = false;
async function refill() {
  if (minting) return;
  minting = true;
  try {
    while (pool.length < 400) {
      pool.push(await createResourceToken(material.resourceKey, {
        iss: material.resourceId, aud: material.issuer, agent: material.agent.id, agentJkt: material.agent.delegate.thumbprint, scope: 'data:read', lifetimeSeconds: 120,
      }));
    }
  } finally {
    minting = false;
  }
}
await refill();
const refiller = setInterval(() => { void refill(); }, 20);

async function load(seconds, tally) {
  const common = { connections: CONNECTIONS, duration: seconds, timeout: 10 };
  return Promise.all([
    autocannon({ ...common, url: material.authOrigin, requests: authServerSequence(material, tally, () => pool.shift()) }),
    autocannon({ ...common, url: material.resourceId, requests: resourceSequence(material, tally) }),
  ]);
}

// ---- warm-up, measure, soak, measure -------------------------------------------------------
console.log(`soak: ${DURATION} s of mixed valid and hostile traffic (after ${WARMUP} s of warm-up), ${CONNECTIONS} connections to each server; servers in process ${child.pid} (--expose-gc)`);
if (WARMUP > 0) await load(WARMUP, new Tally());
const { heap: before } = await report();
const tally = new Tally();
const [authRun, resourceRun] = await load(DURATION, tally);
clearInterval(refiller);
const { heap: after, unexpected, unexpectedCount, rejections, rejectionCount, fetchFailures } = await report();
child.send({ type: 'stop' });
await childExit;

// ---- report ------------------------------------------------------------------------------
const rate = (run) => Math.round(run.requests.total / run.duration);
console.log(`throughput: auth server ${rate(authRun)} req/s, resource ${rate(resourceRun)} req/s, together ${rate(authRun) + rate(resourceRun)} req/s (${authRun.requests.total + resourceRun.requests.total} requests)`);
console.log(`latency p50/p99: auth server ${authRun.latency.p50}/${authRun.latency.p99} ms, resource ${resourceRun.latency.p50}/${resourceRun.latency.p99} ms`);
console.log('answers by kind of request (status error × count):');
for (const [kind, counts] of tally.byKind) {
  console.log(`  ${kind.padEnd(42)} ${[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key} ×${n}`).join(', ')}`);
}
const totals = tally.totals();
const byStatus = new Map();
for (const [key, n] of totals) {
  const status = key.split(' ')[0];
  byStatus.set(status, (byStatus.get(status) ?? 0) + n);
}
console.log(`answers by status: ${[...byStatus].sort().map(([s, n]) => `${s} ×${n}`).join(', ')}`);
console.log(`answers by error code: ${[...totals].filter(([key]) => !key.endsWith(' -')).sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key} ×${n}`).join(', ')}`);
const errors = authRun.errors + resourceRun.errors;
const timeouts = authRun.timeouts + resourceRun.timeouts;
console.log(`connection errors: ${errors} (timeouts ${timeouts})`);
console.log(`remote fetch failures logged by the servers (detail kept from callers): ${fetchFailures}`);
const growth = after.heapUsed - before.heapUsed;
console.log(`servers' heap used after forced GC: before ${mb(before.heapUsed)}, after ${mb(after.heapUsed)}, growth ${mb(growth)} (bound ${MAX_GROWTH_MB} MB); rss ${mb(before.rss)} → ${mb(after.rss)}`);

const failures = [];
if (growth > MAX_GROWTH_MB * MB) failures.push(`heap grew by ${mb(growth)}, more than ${MAX_GROWTH_MB} MB`);
const serverErrors = [...totals].filter(([key]) => key.startsWith('5') && !key.startsWith('503 '));
if (serverErrors.length > 0) failures.push(`5xx answers other than 503: ${serverErrors.map(([key, n]) => `${key} ×${n}`).join(', ')}`);
if (timeouts > 0) failures.push(`${timeouts} requests got no answer within 10 s`);
for (const [kind, counts] of tally.byKind) {
  if (kind.includes('(valid)') && ![...counts.keys()].some((key) => key.startsWith('2'))) failures.push(`"${kind}" never succeeded`);
}
if (unexpectedCount > 0) failures.push(`the servers logged ${unexpectedCount} unexpected errors, e.g.\n${unexpected.join('\n')}`);
if (rejectionCount > 0) failures.push(`the servers' process saw ${rejectionCount} unhandled rejections or uncaught exceptions, e.g.\n${rejections.join('\n')}`);
if (failures.length > 0) {
  console.log(`soak: FAIL\n  - ${failures.join('\n  - ')}`);
  process.exit(1);
}
console.log('soak: PASS');
