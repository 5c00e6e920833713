/**
 * Separate Node processes for the several-instance tests: each fixture prints `READY <port>`
 * once listening. Requests go to an instance's own port with the public `Host` every instance
 * shares, as through a load balancer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export interface Instance {
  readonly port: number;
  /** What the process wrote to stderr so far (its `warn` lines). */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startInstance(fixture: string, env: Readonly<Record<string, string>>): Promise<Instance> {
  const script = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\d+)/.exec(out);
      if (ready) resolve(Number(ready[1]));
    });
    child.once('exit', (code) => reject(new Error(`${fixture} exited with ${code}: ${err}`)));
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
