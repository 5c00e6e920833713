// A real `redis-server` for the tests and the benchmark: started on a free loopback port in a
// temp dir, with no persistence, killed and restarted on the same port on demand. Absent (the
// Debian package `redis-server` not installed), callers skip with the message `redisMissing()`
// gives; under `CI=true` it throws instead.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = 'redis-server';

export function redisMissing() {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error === undefined && probe.status === 0) return undefined;
  const why = `${BINARY} is not installed (Debian: apt-get install -y redis-server); what needs it is skipped`;
  if (process.env.CI === 'true') throw new Error(`${why}, but CI=true requires it`);
  return why;
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(() => resolve()));
  return port;
}

// Resolves true once something on `port` answers `PING` with `PONG`.
function answers(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => { socket.destroy(); resolve(data.toString().startsWith('+PONG')); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

export class RedisServer {
  #dir;
  #process;

  constructor(port, dir) {
    this.port = port;
    this.#dir = dir;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start() {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'aauth-redis-')));
    await server.restart();
    return server;
  }

  // Start (again) on the same port, with an empty dataset.
  async restart() {
    const child = spawn(BINARY, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir], { stdio: 'ignore' });
    this.#process = child;
    for (let attempt = 0; attempt < 100; attempt++) {
      if (child.exitCode !== null) throw new Error(`${BINARY} exited with ${child.exitCode} on port ${this.port}`);
      if (await answers(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${BINARY} did not answer on port ${this.port}`);
  }

  // FLUSHALL while running: the dataset is emptied without a restart (an operator's mistake).
  flushAll() {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ port: this.port, host: '127.0.0.1' });
      socket.once('connect', () => socket.write('FLUSHALL\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        if (data.toString().startsWith('+OK')) resolve();
        else reject(new Error(`FLUSHALL answered ${data.toString().trim()}`));
      });
      socket.once('error', reject);
    });
  }

  // SIGSTOP: the server keeps its connections but answers nothing (a hung Redis).
  pause() {
    this.#process?.kill('SIGSTOP');
  }

  resume() {
    this.#process?.kill('SIGCONT');
  }

  // SIGKILL, as a crash: nothing is flushed or said to the clients.
  async kill() {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop() {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
