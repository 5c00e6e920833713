/**
 * Request targets the embedded server must not misread: an absolute-form target (RFC 9112 §3.2.2)
 * once reached the token endpoint as `{origin}http://…`, a 500 and a log line per request.
 * Sent over a raw socket, since fetch clients only send origin-form.
 */
import net from 'node:net';
import { signRequest } from '@aauth-ts/core';
import { startFixture, type Fixture } from './helpers.js';

function rawRequest(issuer: string, method: string, target: string, body = '', headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const { hostname, port, host } = new URL(issuer);
  const request = [`${method} ${target} HTTP/1.1`, `host: ${host}`, 'connection: close', `content-length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', body].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), json: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown> });
    });
    socket.write(request); // not end(): a half-closed socket may be dropped before a slow answer
  });
}

describe('request targets', () => {
  const logged: unknown[] = [];
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ log: (_message: string, err: unknown) => logged.push(err) });
  });
  afterAll(async () => {
    await f.close();
  });

  /** A signed request as an agent would send it, with its body and headers. */
  async function signed(method: 'GET' | 'POST', path: string, contentType: string, body?: string): Promise<{ body: string; headers: Record<string, string> }> {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': contentType };
    const signature = signRequest({ method, url: `${f.issuer}${path}`, headers, body }, { key: f.agent.delegateKey, signatureKey: { scheme: 'jwt', jwt: await f.agent.agentToken() } });
    return { body: body ?? '', headers: { ...headers, ...signature } };
  }

  it.each([
    ['the token endpoint', 'POST', '/protocol/aauth/token', 'application/json', '{"resource_token":"x.y.z"}'],
    ['the token-exchange endpoint', 'POST', '/protocol/aauth/token-exchange', 'application/x-www-form-urlencoded', 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=x'],
    ['a pending URL', 'GET', '/protocol/aauth/pending/abc', '', undefined],
  ] as const)('a signed request with an absolute-form target at %s answers 400 invalid_request, not a logged 500', async (_name, method, path, type, payload) => {
    const { body, headers } = await signed(method, path, type, payload);
    const res = await rawRequest(f.issuer, method, `${f.issuer}${path}`, body, headers);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/origin-form/) as unknown });
    expect(logged).toEqual([]);
  });

  it('the same signed request in origin-form reaches the endpoint (control)', async () => {
    const { body, headers } = await signed('POST', '/protocol/aauth/token', 'application/json', '{"resource_token":"x.y.z"}');
    const res = await rawRequest(f.issuer, 'POST', `${new URL(f.issuer).pathname}/protocol/aauth/token`, body, headers);
    expect(res).toMatchObject({ status: 400, json: { error: 'invalid_resource_token' } });
  });
});
