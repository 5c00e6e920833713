/**
 * A listening server answers a plain token request (POST, `Content-Length` body) ahead of express
 * (http/direct-token-route.ts); a chunked request takes the express route. A client must not be
 * able to tell them apart: the same request sent both ways gets the same status, the same JSON
 * headers and the same error. Real HTTP on loopback.
 */
import { request as httpRequest } from 'node:http';
import { generateSigningKey, signRequest } from '@aauth-ts/core';
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

  async function send(body: string, chunked: boolean, key = f.agent.delegateKey): Promise<Answer> {
    const url = `${f.issuer}/protocol/aauth/token`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    Object.assign(headers, signRequest({ method: 'POST', url, headers, body }, { key, signatureKey: { scheme: 'jwt', jwt: await f.agent.agentToken() } }));
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

  it('a warm agent (its agent token verified, the resource keys cached) is refused with the same codes and sentences as ever, either way', async () => {
    expect((await send(await resourceTokenBody(), false)).status).toBe(202);
    const refused = async (body: string, key = f.agent.delegateKey): Promise<unknown> => {
      const plain = await send(body, false, key);
      expect(await send(body, true, key)).toEqual(plain);
      return { status: plain.status, error: plain.json.error, description: plain.json.error_description };
    };
    // The agent token is the one already verified; the request is signed with another key.
    expect(await refused(await resourceTokenBody(), generateSigningKey('Ed25519'))).toEqual({ status: 401, error: 'invalid_signature', description: 'the HTTP message signature does not verify' });
    const token = await f.resource.resourceToken({ aud: f.issuer, agent: f.agent.id, agentJkt: f.agent.delegateKey.thumbprint, scope: 'data:read' });
    const [header, , signature] = token.split('.');
    const notJson = `${header as string}.${Buffer.from('not json').toString('base64url')}.${signature as string}`;
    expect(await refused(JSON.stringify({ resource_token: notJson }))).toEqual({ status: 400, error: 'invalid_resource_token', description: 'the token payload is not a JSON object' });
    const notBase64 = `${header as string}.a.${signature as string}`;
    expect(await refused(JSON.stringify({ resource_token: notBase64 }))).toEqual({ status: 400, error: 'invalid_resource_token', description: 'the token payload is not a JSON object' });
    const otherKey = await f.resource.resourceToken({ aud: f.issuer, agent: f.agent.id, agentJkt: generateSigningKey('Ed25519').thumbprint, scope: 'data:read' });
    expect(await refused(JSON.stringify({ resource_token: otherKey }))).toEqual({ status: 400, error: 'invalid_resource_token', description: 'resource token "agent_jkt" is not the thumbprint of the signing key' });
    const used = await resourceTokenBody();
    expect((await send(used, false)).status).toBe(202);
    expect(await refused(used)).toEqual({ status: 400, error: 'invalid_resource_token', description: 'resource token "jti" has already been used' });
  });
});
