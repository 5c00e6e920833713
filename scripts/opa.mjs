// A real Open Policy Agent for the tests of @aauth-ts/policy-opa: the `opa` binary is built from the
// Go module proxy at a pinned version into .cache/opa/ (gitignored) by `node scripts/opa.mjs --build`
// (run by .ci/run, outside any network sandbox), then started per test file as a server on a free
// loopback port with the test's Rego policy. Absent (no Go, not built), callers skip with the
// message `opaMissing()` gives; under `CI=true` it throws instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPA_VERSION = 'v1.22.3';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, '.cache', 'opa', OPA_VERSION);
export const OPA_BINARY = join(DIR, 'opa');

export function opaMissing() {
  if (existsSync(OPA_BINARY) && spawnSync(OPA_BINARY, ['version'], { encoding: 'utf8' }).status === 0) return undefined;
  const why = `opa ${OPA_VERSION} is not built at ${OPA_BINARY} (run \`node scripts/opa.mjs --build\` where Go and the module proxy are reachable); the OPA tests are skipped`;
  if (process.env.CI === 'true') throw new Error(`${why}, but CI=true requires them`);
  return why;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(() => resolve()));
  return port;
}

// `opa run --server` with `policy` (Rego text) on a free loopback port; resolves once /health answers.
export async function startOpa(policy) {
  const dir = mkdtempSync(join(tmpdir(), 'aauth-opa-'));
  const file = join(dir, 'policy.rego');
  writeFileSync(file, policy);
  const port = await freePort();
  const child = spawn(OPA_BINARY, ['run', '--server', '--addr', `127.0.0.1:${port}`, '--disable-telemetry', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`opa exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) { child.kill(); throw new Error(`opa did not answer on ${url}: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      child.kill();
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// `--build`: GOBIN=.cache/opa/<version> go install github.com/open-policy-agent/opa@<version>.
// Exit status 2 with a message when Go is absent.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--build')) {
  if (existsSync(OPA_BINARY)) process.exit(0);
  if (spawnSync('go', ['version']).status !== 0) {
    console.error('opa: Go is not installed; the OPA tests will be skipped (CI=true fails them)');
    process.exit(2);
  }
  const started = Date.now();
  const result = spawnSync('go', ['install', `github.com/open-policy-agent/opa@${OPA_VERSION}`], { stdio: 'inherit', env: { ...process.env, GOBIN: DIR, CGO_ENABLED: '0' } });
  if (result.status !== 0) process.exit(result.status ?? 1);
  console.error(`opa: built ${OPA_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
}
