/**
 * npm `@hellocoop/mockin` (a dev dependency) as a Person Server on loopback: one child process per
 * test file, on a port free at start, its issuer `http://127.0.0.1:<port>`. Its AAuth behaviour is
 * switched through its own mock API (`PUT /mock/aauth`); by default it approves everything at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Mockin {
  /** Its issuer and origin. */
  readonly origin: string;
  readonly version: string;
  /** Its `/.well-known/aauth-person.json`. */
  metadata(): Promise<MockinMetadata>;
  /** `PUT /mock/aauth` with these members (e.g. `{ person_requirement: 'interaction' }`). */
  configure(patch: Readonly<Record<string, unknown>>): Promise<void>;
  close(): Promise<void>;
}

export interface MockinMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly person_token_endpoint: string;
  readonly auth_token_endpoint: string;
}

const packageJson = createRequire(import.meta.url).resolve('@hellocoop/mockin/package.json');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts mockin and resolves once it listens; rejects with its output when it exits first. */
export async function startMockin(): Promise<Mockin> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const { version } = createRequire(import.meta.url)(packageJson) as { version: string };
  const child: ChildProcess = spawn(process.execPath, ['--no-warnings', join(dirname(packageJson), 'src/server.js')], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), IP: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('listening on')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`mockin exited (${String(code)}) before listening: ${output.trim().slice(-300)}`)));
  });
  const exited = new Promise<void>((resolve) => { child.once('exit', () => resolve()); });
  return {
    origin,
    version,
    metadata: async () => (await fetch(`${origin}/.well-known/aauth-person.json`)).json() as Promise<MockinMetadata>,
    configure: async (patch) => {
      const res = await fetch(`${origin}/mock/aauth`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
      if (!res.ok) throw new Error(`mockin PUT /mock/aauth answered ${res.status}`);
    },
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
