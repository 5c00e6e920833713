/** A real HTTP server on 127.0.0.1 (ephemeral port) whose routes count their hits. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface LoopbackServer {
  readonly origin: string;
  readonly hits: Map<string, number>;
  route(path: string, handler: Route): void;
  json(path: string, body: unknown): void;
  close(): Promise<void>;
}

export async function startLoopbackServer(): Promise<LoopbackServer> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    route: (path, handler) => { routes.set(path, handler); },
    json: (path, body) => {
      routes.set(path, (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)); });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
