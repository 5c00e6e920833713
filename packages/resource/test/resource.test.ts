/**
 * The framework-neutral core without express: a Fetch `Request` and a Node `IncomingMessage`
 * verified by `AAuthResource`, replay bounds, and the requirement decisions.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AAuthError, PROFILE, generateSigningKey, parseChallenge, signRequest } from '@aauth-ts/core';
import { rejection } from './fixtures.js';
import { AAuthResource, authRequirement, fromFetchRequest, fromNodeRequest, identityRequirement, readBody, signatureRequirement } from '@aauth-ts/resource';

const RESOURCE = 'https://resource.example';
const key = generateSigningKey();

function build(patch: Partial<ConstructorParameters<typeof AAuthResource>[0]> = {}): AAuthResource {
  return new AAuthResource({ resource: RESOURCE, signingKey: generateSigningKey(), authServer: 'https://auth.example', ...patch });
}

function signedRequest(method: string, path: string, body?: string, componentPolicy: 'strict' | 'draft-minimum' = 'strict'): Request {
  const url = `${RESOURCE}${path}`;
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'text/plain' };
  const signed = signRequest({ method, url, headers, body }, { key, signatureKey: { scheme: 'hwk' }, componentPolicy });
  return new Request(url, { method, headers: { ...headers, ...signed }, ...(body === undefined ? {} : { body }) });
}

describe('AAuthResource with a Fetch Request', () => {
  test('an unsigned request verifies to undefined; a signed one to a context', async () => {
    const resource = build();
    expect(await resource.verify(await fromFetchRequest(new Request(`${RESOURCE}/x`)))).toBeUndefined();
    const context = await resource.verify(await fromFetchRequest(signedRequest('POST', '/x', 'hi')));
    expect(context).toMatchObject({ scheme: 'hwk', thumbprint: key.thumbprint, scopes: [] });
    expect(context?.components).toEqual(['@method', '@authority', '@path', 'content-type', 'content-digest', 'signature-key']);
  });

  test('a state-changing signature is accepted once; GET signatures are not tracked', async () => {
    const resource = build();
    const post = await fromFetchRequest(signedRequest('POST', '/x', 'hi'));
    await resource.verify(post);
    expect((await rejection(resource.verify(post))).detail.reason).toBe('replayed');
    const get = await fromFetchRequest(signedRequest('GET', '/x'));
    await resource.verify(get);
    await expect(resource.verify(get)).resolves.toBeDefined();
  });

  test('a full replay cache refuses new state-changing requests (503) instead of forgetting', async () => {
    const resource = build({ replay: { maxEntries: 1 } });
    await resource.verify(await fromFetchRequest(signedRequest('POST', '/a', '1')));
    const err = await rejection(resource.verify(await fromFetchRequest(signedRequest('POST', '/b', '2'))));
    expect(err.status).toBe(503);
  });

  test('replay checking can be turned off', async () => {
    const resource = build({ replay: false });
    const post = await fromFetchRequest(signedRequest('POST', '/x', 'hi'));
    await resource.verify(post);
    await expect(resource.verify(post)).resolves.toBeDefined();
  });

  test('unparseable signature headers become 401 invalid_signature at the resource', async () => {
    const resource = build();
    const err = await rejection(resource.verify({ method: 'GET', url: `${RESOURCE}/x`, headers: { 'signature-key': '(((', signature: 'x', 'signature-input': 'y' } }));
    expect(err.code).toBe('invalid_signature');
    expect(err.status).toBe(401);
  });

  test('metadata-required components are enforced and published', async () => {
    const resource = build({ additionalSignatureComponents: ['content-digest'] });
    expect(resource.metadata.additional_signature_components).toEqual(['@query', 'content-type', 'content-digest']);
    const err = await rejection(resource.verify(await fromFetchRequest(signedRequest('GET', '/x'))));
    expect(err.extras.required_components).toContain('content-digest');
  });
});

describe('required signature components (2026-03 §Covered Components)', () => {
  test('resource metadata lists the strict default: @query, content-type, content-digest', () => {
    expect(build().metadata.additional_signature_components).toEqual(['@query', 'content-type', 'content-digest']);
  });

  test('a POST signed over the draft minimum is refused by default, naming the required components', async () => {
    const err = await rejection(build().verify(await fromFetchRequest(signedRequest('POST', '/x', 'hi', 'draft-minimum'))));
    expect(err.status).toBe(401);
    expect(err.toJSON()).toMatchObject({
      error: 'invalid_signature',
      required_components: ['@method', '@authority', '@path', 'signature-key', 'content-type', 'content-digest'],
    });
    expect(err.message).toContain('"content-digest"');
  });

  test('a GET with a query signed over the draft minimum is refused by default with @query required', async () => {
    const err = await rejection(build().verify(await fromFetchRequest(signedRequest('GET', '/x?a=1', undefined, 'draft-minimum'))));
    expect(err.toJSON().required_components).toEqual(['@method', '@authority', '@path', 'signature-key', '@query']);
  });

  test('signatureComponents draft-minimum accepts POST with body and GET with query signed over the four', async () => {
    const resource = build({ signatureComponents: 'draft-minimum' });
    const post = await resource.verify(await fromFetchRequest(signedRequest('POST', '/x', 'hi', 'draft-minimum')));
    expect(post?.components).toEqual(['@method', '@authority', '@path', 'signature-key']);
    const get = await resource.verify(await fromFetchRequest(signedRequest('GET', '/x?a=1', undefined, 'draft-minimum')));
    expect(get?.components).toEqual(['@method', '@authority', '@path', 'signature-key']);
  });

  test('draft-minimum publishes only the extras (none: no member), and still enforces them', async () => {
    expect(build({ signatureComponents: 'draft-minimum' }).metadata).not.toHaveProperty('additional_signature_components');
    const resource = build({ signatureComponents: 'draft-minimum', additionalSignatureComponents: ['@target-uri'] });
    expect(resource.metadata.additional_signature_components).toEqual(['@target-uri']);
    const err = await rejection(resource.verify(await fromFetchRequest(signedRequest('GET', '/x', undefined, 'draft-minimum'))));
    expect(err.toJSON().required_components).toEqual(['@method', '@authority', '@path', 'signature-key', '@target-uri']);
  });

  test('a draft-minimum resource still checks a Content-Digest the agent covers of its own accord', async () => {
    const resource = build({ signatureComponents: 'draft-minimum' });
    const strictPost = await resource.verify(await fromFetchRequest(signedRequest('POST', '/y', 'hi')));
    expect(strictPost?.components).toContain('content-digest');
  });

  test('an unknown signatureComponents value is a TypeError at construction', () => {
    expect(() => build({ signatureComponents: 'lenient' as 'strict' })).toThrow(TypeError);
  });
});

describe('requirement decisions', () => {
  const resource = build();
  const hwk = { scheme: 'hwk' as const, thumbprint: key.thumbprint, jwk: key.publicJwk, scopes: [], components: [], created: 0 };
  const agent = { ...hwk, scheme: 'jwks_uri' as const, agent: 'https://agent.example' };

  test('pseudonym: unsigned → require=pseudonym; hwk passes', async () => {
    const err = await rejection(resource.authorize(undefined, signatureRequirement()));
    expect(parseChallenge(err.headers[PROFILE.headers.challenge] ?? '')).toEqual({ require: 'pseudonym' });
    await expect(resource.authorize(hwk, signatureRequirement())).resolves.toBeUndefined();
  });

  test('identity: hwk → require=identity; an agent passes', async () => {
    const err = await rejection(resource.authorize(hwk, identityRequirement()));
    expect(parseChallenge(err.headers[PROFILE.headers.challenge] ?? '')).toEqual({ require: 'identity' });
    await expect(resource.authorize(agent, identityRequirement())).resolves.toBeUndefined();
  });

  test('auth-token: an agent without a token → require=auth-token naming the auth server', async () => {
    const err = await rejection(resource.authorize(agent, authRequirement({ scope: 'a b' })));
    const challenge = parseChallenge(err.headers[PROFILE.headers.challenge] ?? '');
    expect(challenge).toMatchObject({ require: 'auth-token', authServer: 'https://auth.example' });
  });
});

describe('Node IncomingMessage adapter', () => {
  test('reads the raw body (bounded) and verifies it', async () => {
    const resource = build({ resource: 'http://127.0.0.1:1', authorities: [], development: true });
    const seen: unknown[] = [];
    const server = http.createServer((req, res) => {
      readBody(req, 16).then(
        async (body) => {
          const request = fromNodeRequest(req, { protocol: 'http:', body });
          seen.push(request.body === undefined ? null : Buffer.from(request.body).toString());
          seen.push(await resource.verify(request).then(() => 'ok', (err: AAuthError) => err.detail.reason));
          res.end();
        },
        (err: AAuthError) => {
          seen.push(err.status);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'small', headers: { ...signRequest({ method: 'POST', url: `http://127.0.0.1:${port}/`, headers: { 'content-type': 'text/plain' }, body: 'small' }, { key, signatureKey: { scheme: 'hwk' } }) } });
    await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(100) });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // authorities: [] accepts no @authority at all, so the signed request is refused on that alone
    expect(seen).toEqual(['small', 'mismatch', 413]);
  });
});
