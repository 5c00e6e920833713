// The supply-chain demo end to end: one autonomous run (backend → supply-chain agent →
// market-analysis agent, two challenges, two token exchanges at the embedded auth server, the
// chained one with upstream_token, and the plan computation) over real loopback HTTP, against a
// raw node:crypto Ed25519 sign + verify measured in the same run. Run with `npm run bench`.
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PROFILE } from '@aauth-ts/core';

const RUNS = Number(process.env.BENCH_DEMO_RUNS ?? 40);
const RAW_MS = Number(process.env.BENCH_ROUND_MS ?? 350) * 3;

const examples = new URL('../examples/dist/launcher/src/', import.meta.url);
const { startDemo } = await import(new URL('start-demo.js', examples).href);
const { defaultRealmPath } = await import(new URL('realm-for-config.js', examples).href);

const demo = await startDemo({
  settings: { AUTH_PORT: '0', BACKEND_PORT: '0', BACKEND_AUTONOMOUS_PORT: '0', SCA_PORT: '0', MAA_PORT: '0', LOG_FORMAT: 'json' },
  realmPath: defaultRealmPath(fileURLToPath(examples)),
  quiet: true,
  isTty: false,
});
const api = `http://127.0.0.1:${demo.config.backend.port}/api/runs`;

async function oneRun() {
  const { id } = await (await fetch(api, { method: 'POST', headers: { [PROFILE.headers.contentType]: 'application/json' }, body: '{"mode":"autonomous"}' })).json();
  for (;;) {
    const run = await (await fetch(`${api}/${id}`)).json();
    if (run.status === 'done') return run.hops.length;
    if (run.status === 'failed') throw new Error(`run failed: ${run.error?.error_description}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

try {
  await oneRun(); // warm-up: metadata and JWKS caches, JIT
  const start = performance.now();
  for (let i = 0; i < RUNS; i++) await oneRun();
  const runsPerSecond = (RUNS * 1000) / (performance.now() - start);

  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const data = Buffer.alloc(256, 7);
  let raw = 0;
  const rawStart = performance.now();
  while (performance.now() - rawStart < RAW_MS) {
    for (let i = 0; i < 100; i++) verify(null, data, publicKey, sign(null, data, privateKey));
    raw += 100;
  }
  const rawPerSecond = (raw * 1000) / (performance.now() - rawStart);

  const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  console.log('\ndemo (examples): one autonomous chained run over loopback HTTP (polling the backend API included)');
  console.log(`  demo run (2 challenges, 2 exchanges, plan)   ${fmt(runsPerSecond)} runs/s  (${(1000 / runsPerSecond).toFixed(1)} ms per run, ${RUNS} runs)`);
  console.log(`  raw node:crypto Ed25519 sign + verify        ${fmt(rawPerSecond)} ops/s`);
  console.log(`  ratio                                        one run costs ${fmt(rawPerSecond / runsPerSecond)} raw sign+verify pairs`);
} finally {
  await demo.close();
}
