// The supply-chain demo end to end: one autonomous run (backend → supply-chain agent →
// market-analysis agent, two challenges, two token exchanges at the embedded auth server, the
// chained one with upstream_token, and the plan computation) over real loopback HTTP. The demo
// runs in a worker thread; the main thread starts runs and polls the backend's API, but the figure
// is the run's own span as the services recorded it (the run's `startedAt` to its last hop's
// `at`), so the polling is not in it. Against raw node:crypto Ed25519 sign + verify pairs
// measured in the same round, per run and per hop.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ROUNDS, fmt, median, rawCrypto, row, startWorker } from './harness.js';

const RUNS = Number(process.env.BENCH_DEMO_RUNS ?? 10); // per round

async function serve() {
  const { fileURLToPath } = await import('node:url');
  const examples = new URL('../examples/dist/launcher/src/', import.meta.url);
  const { startDemo } = await import(new URL('start-demo.js', examples).href);
  const { defaultRealmPath } = await import(new URL('realm-for-config.js', examples).href);
  const demo = await startDemo({
    settings: { AUTH_PORT: '0', BACKEND_PORT: '0', BACKEND_AUTONOMOUS_PORT: '0', SCA_PORT: '0', MAA_PORT: '0', LOG_FORMAT: 'json' },
    realmPath: defaultRealmPath(fileURLToPath(examples)),
    quiet: true,
    isTty: false,
  });
  parentPort.postMessage({ api: `http://127.0.0.1:${demo.config.backend.port}/api/runs` });
  parentPort.once('message', () => demo.close());
}

export default async function demoBench() {
  const { PROFILE } = await import('@aauth-ts/core');
  const worker = startWorker(new URL(import.meta.url), { role: 'demo' });
  const { api } = await worker.ready;
  const oneRun = async () => {
    const { id } = await (await fetch(api, { method: 'POST', headers: { [PROFILE.headers.contentType]: 'application/json' }, body: '{"mode":"autonomous"}' })).json();
    for (;;) {
      const run = await (await fetch(`${api}/${id}`)).json();
      if (run.status === 'done') {
        const last = Math.max(...run.hops.map((h) => Date.parse(h.at)));
        return { ms: last - Date.parse(run.startedAt), hops: run.hops.length };
      }
      if (run.status === 'failed') throw new Error(`run failed: ${run.error?.error_description}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    await oneRun(); // warm-up: metadata and JWKS caches, JIT
    await oneRun();
    const rounds = [];
    let hops = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { verify, sign } = rawCrypto();
      const pairMs = 1000 / verify + 1000 / sign;
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await oneRun());
      hops = runs[0].hops;
      const ms = median(runs.map((r) => r.ms));
      rounds.push({ pairMs, ms, perHop: ms / hops, pairsPerRun: ms / pairMs, pairsPerHop: ms / hops / pairMs });
    }
    const m = (k) => median(rounds.map((r) => r[k]));
    return {
      title: 'demo: one autonomous chained run (backend → supply-chain → market-analysis), polling removed',
      note: `${RUNS} runs per round, median run span per round (first to last recorded hop, ms resolution), median over ${ROUNDS} rounds; ${hops} hops per run (requests, challenges, token requests, tokens, retries, responses, verifications, result)`,
      rows: [
        row('raw node:crypto Ed25519 sign + verify', `${fmt(m('pairMs') * 1000)} µs per pair`),
        row('one run', `${m('ms').toFixed(1)} ms`, { ratio: m('pairsPerRun'), baseline: 'raw sign+verify pairs per run' }),
        row('per hop', `${m('perHop').toFixed(2)} ms`, { ratio: m('pairsPerHop'), baseline: 'raw sign+verify pairs per hop' }),
      ],
    };
  } finally {
    await worker.stop();
  }
}

if (!isMainThread && workerData?.role === 'demo') await serve();
