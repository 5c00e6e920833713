/** Test-only HTTP plumbing: listen on a loopback ephemeral port, read a body, answer JSON. */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AAuthError, PROFILE } from '@aauth-ts/core';

export interface Listening {
  readonly server: http.Server;
  readonly port: number;
  close(): Promise<void>;
}

export async function listen(handler?: http.RequestListener, fixedPort = 0): Promise<Listening> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(fixedPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A loopback server whose handler is set once it listens, so an app can be built knowing its own URL. */
export interface Host extends Listening {
  readonly id: string;
  use(handler: http.RequestListener): void;
}

/** `port` 0 (the default) is an ephemeral port; a fixed one is for an auth server whose realm names the host. */
export async function host(port = 0): Promise<Host> {
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const listening = await listen((req, res) => handler(req, res), port);
  return { ...listening, id: `http://127.0.0.1:${listening.port}`, use: (h) => { handler = h; } };
}

export async function readBody(req: IncomingMessage, max = 64 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new AAuthError('invalid_request', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { [PROFILE.headers.contentType]: 'application/json', [PROFILE.headers.cacheControl]: 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** The URL the request was addressed to, authority from `Host` (what `@authority` covers). */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', `http://${req.headers.host ?? 'invalid'}`);
}
