/**
 * Development mode's `*.localhost` transport (RFC 6761 §6.3): the request reaches 127.0.0.1 with
 * the name kept in `Host` (what `@authority` was signed over), and consecutive requests to one
 * server share a kept-alive connection instead of opening one each.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransport } from '@aauth-ts/agent';

let server: http.Server;
let port: number;
let connections = 0;
const hosts: (string | undefined)[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hosts.push(req.headers.host);
    res.setHeader('content-type', 'text/plain');
    res.end(`hello ${req.method ?? ''}`);
  });
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('*.localhost goes to 127.0.0.1 with Host kept, and consecutive requests reuse one connection', async () => {
  const transport = createTransport({ development: true });
  const url = new URL(`http://agent.localhost:${port}/x`);
  for (const method of ['GET', 'POST', 'GET']) {
    const response = await transport(url, { method, headers: {}, ...(method === 'POST' ? { body: new TextEncoder().encode('{}') } : {}) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`hello ${method}`);
  }
  expect(hosts).toEqual([`agent.localhost:${port}`, `agent.localhost:${port}`, `agent.localhost:${port}`]);
  expect(connections).toBe(1);
});
