/**
 * Separate Node processes for the several-instance tests, and a load balancer in front of them.
 * A resource fixture prints `READY <port>` once listening; the auth-server bin runs on a port
 * chosen here and says when it listens. Requests reach an instance either on its own port with
 * the public `Host` all instances share, or through `LoadBalancer`, which sends each request to the
 * instance the test names.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface Instance {
  readonly port: number;
  /** What the process wrote to stderr so far (its `warn` lines). */
  stderr(): string;
  stop(): Promise<void>;
}

/** A resource fixture from `./fixtures`, on an ephemeral port. */
export function startInstance(fixture: string, env: Readonly<Record<string, string>>): Promise<Instance> {
  return spawnInstance([fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))], env, (out) => {
    const ready = /READY (\d+)/.exec(out);
    return ready ? Number(ready[1]) : undefined;
  });
}

const AUTH_SERVER_BIN = fileURLToPath(new URL('../../auth-server/bin/aauth-auth-server.js', import.meta.url));

/** The `aauth-auth-server` command on `port`, with `args` and `env` (e.g. `AAUTH_REDIS_URL`). */
export function startAuthServer(port: number, args: readonly string[], env: Readonly<Record<string, string>>): Promise<Instance> {
  return spawnInstance([AUTH_SERVER_BIN, '--port', String(port), ...args], env, (out) => (/AAuth auth server for realm/.test(out) ? port : undefined));
}

async function spawnInstance(args: readonly string[], env: Readonly<Record<string, string>>, ready: (stdout: string) => number | undefined): Promise<Instance> {
  const child: ChildProcess = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = ready(out);
      if (port !== undefined) resolve(port);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${err}`)));
  });
  return {
    port,
    stderr: () => err,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

/**
 * An HTTP load balancer on loopback: each request goes, on a connection of its own, to the
 * instance port in `target`, with its headers (`Host` included) untouched.
 */
export class LoadBalancer {
  target = 0;
  readonly #server = http.createServer((req, res) => {
    const upstream = http.request({ host: '127.0.0.1', port: this.target, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.once('error', () => { res.writeHead(502).end(); });
    req.pipe(upstream);
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** Send to `port` on loopback, with the headers (`Host` included) exactly as given. */
export function send(port: number, method: string, path: string, headers: Readonly<Record<string, string>>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text === '' ? {} : JSON.parse(text) as Record<string, unknown> }));
    });
    req.once('error', reject);
    req.end(body);
  });
}
