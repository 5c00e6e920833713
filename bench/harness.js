// Shared by the benchmarks: rounds and medians, raw node:crypto baselines, server workers, and
// the rows `run.js` prints and writes to bench/results.md. Every figure is a ratio to a baseline
// measured in the same run, each round pairing the two, so a busy machine slows both alike.
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Rounds per figure (after a warm-up); the median of the per-round ratios is reported. */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Ops/s of `fn` run synchronously in batches of 100 for `ms`. */
export function opsPerSecond(fn, ms) {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) fn();
    ops += 100;
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}

const raw = generateKeyPairSync('ed25519');
/** A signature base the size of a request's with a `jwt` Signature-Key (about 700 bytes). */
const message = Buffer.alloc(700, 0x61);
const rawSignature = sign(null, message, raw.privateKey);

/** Raw node:crypto Ed25519 verify and sign, ops/s, measured now. */
export function rawCrypto(ms = 300) {
  return {
    verify: opsPerSecond(() => verify(null, message, raw.publicKey, rawSignature), ms),
    sign: opsPerSecond(() => sign(null, message, raw.privateKey), ms),
  };
}

/**
 * A server in a worker thread: `url` is the bench module, started with `workerData`; it posts one
 * message when ready (resolved by `ready`) and stops on the message 'stop'.
 */
export function startWorker(url, workerData) {
  const worker = new Worker(url, { workerData });
  const ready = new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  return {
    ready,
    /** Post `message` and resolve with the worker's next answer. */
    ask: (message) => new Promise((resolve) => { worker.once('message', resolve); worker.postMessage(message); }),
    stop: async () => {
      worker.postMessage('stop');
      await new Promise((r) => setTimeout(r, 50));
      await worker.terminate();
    },
  };
}

/**
 * A logger that drops every line: a bench counts a store outage as a 503 in its row, and the
 * servers' `warn` line for each would otherwise flood the console mid-measurement.
 */
export const quietLogger = Object.freeze({ info: () => undefined, warn: () => undefined });

export const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 3));

/**
 * One figure: `value` as printed, and when it has one, `ratio` (the median of the per-round
 * ratios) against `baseline`, and the `target` the ratio is held to.
 */
export function row(figure, value, extra = {}) {
  return { figure, value, ...extra };
}

/**
 * A section measured against Redis: a redis-server started here on loopback, handed to
 * `measure(redisUrl)` (which answers `{ note, rows }`) and stopped after; skipped with a message
 * where redis-server is absent.
 */
export async function withRedis(title, measure) {
  const { RedisServer, redisMissing } = await import('../scripts/redis-server.mjs');
  const missing = redisMissing();
  if (missing !== undefined) return { title, note: `skipped: ${missing}`, rows: [] };
  const redis = await RedisServer.start();
  try {
    return { title, ...await measure(redis.url) };
  } finally {
    await redis.stop();
  }
}
