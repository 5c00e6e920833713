/**
 * The docker-compose topology without Docker: one process per service (`--only <service>`, as
 * each container runs it), sharing loopback the way the containers share a network namespace.
 * The backend process runs `--once`, so the whole story crosses process boundaries: four
 * processes, one realm, the chain checked at the end.
 *
 * Runs the compiled launcher (`npm test` builds with `tsc -b` first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const built = existsSync(`${root}examples/dist/launcher/src/main.js`);
const maybe = built ? describe : describe.skip;

/** Ports that were free a moment ago (each process must know all of them up front). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function waitFor(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

maybe('one process per service (the compose topology)', () => {
  const children: ChildProcess[] = [];

  afterAll(async () => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    })));
  });

  it('runs the story across four processes', async () => {
    const [auth, backend, auto, sca, maa] = await freePorts(5);
    const env = {
      ...process.env, LOG_FORMAT: 'json', AAUTH_ISSUER: '',
      AUTH_PORT: String(auth), BACKEND_PORT: String(backend), BACKEND_AUTONOMOUS_PORT: String(auto), SCA_PORT: String(sca), MAA_PORT: String(maa),
    };
    const start = (args: string[]): ChildProcess => {
      const child = spawn(process.execPath, [`${root}scripts/demo.js`, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    };
    for (const service of ['auth-server', 'supply-chain-agent', 'market-analysis-agent']) start(['--only', service]);
    const deadline = Date.now() + 20_000;
    await waitFor(`http://127.0.0.1:${auth}/realms/aauth-test/.well-known/aauth-issuer.json`, deadline);
    await waitFor(`http://127.0.0.1:${sca}/.well-known/agent-card.json`, deadline);
    await waitFor(`http://127.0.0.1:${maa}/.well-known/agent-card.json`, deadline);

    const once = start(['--only', 'backend', '--once']);
    let out = '';
    once.stdout?.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    once.stderr?.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    const code = await new Promise<number | null>((resolve) => once.on('exit', resolve));
    expect(out).toMatch(/OK: the chain is backend → supply-chain agent → market-analysis agent, all for mcp-user/);
    expect(code).toBe(0);
    expect(out).toContain(`supply-chain agent → market-analysis agent: agent=http://supply-chain-agent.localhost:${sca} aud=http://market-analysis-agent.localhost:${maa} sub=`);
  }, 90_000);
});
