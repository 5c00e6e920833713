/**
 * A listening server answers a plain token request (POST, `Content-Length` body) ahead of express
 * (http/direct-token-route.ts); a chunked request takes the express route. A client must not be
 * able to tell them apart: the same request sent both ways gets the same status, the same JSON
 * headers and the same error. Real HTTP on loopback.
 */
import { request as httpRequest } from 'node:http';
import { signRequest } from '@aauth-ts/core';
import { startFixture, type Fixture } from './helpers.js';

interface Answer { readonly status: number; readonly contentType: string | undefined; readonly cacheControl: string | undefined; readonly json: Record<string, unknown> }

describe('the token endpoint, plain and chunked', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  async function send(body: string, chunked: boolean): Promise<Answer> {
    const url = `${f.issuer}/protocol/aauth/token`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    Object.assign(headers, signRequest({ method: 'POST', url, headers, body }, { key: f.agent.delegateKey, signatureKey: { scheme: 'jwt', jwt: await f.agent.agentToken() } }));
    if (!chunked) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          cacheControl: res.headers['cache-control'],
          json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        }));
      });
      req.on('error', reject);
      if (chunked) {
        const half = Math.floor(body.length / 2);
        req.write(body.slice(0, half));
        req.end(body.slice(half));
      } else {
        req.end(body);
      }
    });
  }

  const resourceTokenBody = async (): Promise<string> => JSON.stringify({
    resource_token: await f.resource.resourceToken({ aud: f.issuer, agent: f.agent.id, agentJkt: f.agent.delegateKey.thumbprint, scope: 'data:read' }),
  });

  it('a token request sent with Content-Length and the same request sent chunked get the same answer', async () => {
    const plain = await send(await resourceTokenBody(), false);
    const chunked = await send(await resourceTokenBody(), true);
    expect(plain.status).toBe(202);
    expect({ ...chunked, json: Object.keys(chunked.json).sort() }).toEqual({ ...plain, json: Object.keys(plain.json).sort() });
  });

  it('a refused token request gets the same status, headers and error either way', async () => {
    const plain = await send('{"resource_token": 1}', false);
    const chunked = await send('{"resource_token": 1}', true);
    expect(plain.status).toBe(400);
    expect(chunked).toEqual(plain);
  });

  it('a replayed resource token is refused either way', async () => {
    const body = await resourceTokenBody();
    expect((await send(body, false)).status).toBe(202);
    const again = await send(body, true);
    expect({ status: again.status, error: again.json.error }).toEqual({ status: 400, error: 'invalid_resource_token' });
    const thrice = await send(body, false);
    expect(thrice).toEqual(again);
  });
});
