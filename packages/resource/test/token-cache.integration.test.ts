/**
 * The verified-token cache never outlives a token: with an injected clock, a token accepted warm
 * is refused once the clock passes its `exp` (plus the verifier's skew), cache or not; nor the
 * key cache's TTL: a token whose key its issuer removed is refused once that TTL has passed.
 */
import { generateSigningKey, signRequest } from '@aauth-ts/core';
import { AAuthResource } from '@aauth-ts/resource';
import { startAuthServer, type AuthServer } from './fixtures.js';

let as: AuthServer;
beforeAll(async () => { as = await startAuthServer(); });
afterAll(async () => { await as.close(); });

test('a cached auth token is refused after it expires', async () => {
  let clock = Math.floor(Date.now() / 1000);
  const resource = new AAuthResource({ resource: 'https://resource.example', signingKey: generateSigningKey(), authServer: as.issuer, development: true, now: () => clock });
  const delegate = generateSigningKey();
  const token = await as.mint({ aud: 'https://resource.example', agent: 'https://agent.example', cnfJwk: delegate.publicJwk, scope: 'a', lifetimeSeconds: 120, now: clock });
  const request = () => {
    const url = 'https://resource.example/x';
    const headers: Record<string, string> = { ...signRequest({ method: 'GET', url, headers: {} }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: token }, created: clock }) };
    return { method: 'GET', url, headers };
  };
  await expect(resource.verify(request())).resolves.toMatchObject({ tokenType: 'auth', scopes: ['a'] });
  await expect(resource.verify(request())).resolves.toMatchObject({ tokenType: 'auth' }); // warm
  clock += 120 + 61; // past exp and the 60 s skew
  await expect(resource.verify(request())).rejects.toMatchObject({ code: 'invalid_auth_token', status: 401 });
});

test('a cached verdict does not outlive the key cache TTL: once the issuer drops the key from its JWKS, the token is refused after the TTL and served from the cache before it', async () => {
  const issuer = await startAuthServer('rotating');
  try {
    let clock = Math.floor(Date.now() / 1000);
    // The fetcher's TTL runs on its own clock (Date.now): 1 s, the least a verdict (kept in whole seconds) can be bounded by.
    const resource = new AAuthResource({ resource: 'https://resource.example', signingKey: generateSigningKey(), authServer: issuer.issuer, development: true, fetcher: { ttlMs: 1000 }, now: () => clock });
    const delegate = generateSigningKey();
    const token = await issuer.mint({ aud: 'https://resource.example', agent: 'https://agent.example', cnfJwk: delegate.publicJwk, scope: 'a', lifetimeSeconds: 600, now: clock });
    const request = () => {
      const url = 'https://resource.example/x';
      return { method: 'GET', url, headers: { ...signRequest({ method: 'GET', url, headers: {} }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: token }, created: clock }) } };
    };
    await expect(resource.verify(request())).resolves.toMatchObject({ tokenType: 'auth', scopes: ['a'] });
    issuer.publish([generateSigningKey()]);
    // Past the fetcher's TTL on its clock, so a fresh verification would fetch the new JWKS; the verdict's bound is not reached on ours.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(resource.verify(request())).resolves.toMatchObject({ tokenType: 'auth', scopes: ['a'] });
    clock += 1;
    await expect(resource.verify(request())).rejects.toMatchObject({ code: 'invalid_auth_token', status: 401 });
  } finally {
    await issuer.close();
  }
});

describe('the verified-token cache serves only the very token it verified', () => {
  const url = 'https://resource.example/x';
  const setup = async () => {
    const clock = Math.floor(Date.now() / 1000);
    const resource = new AAuthResource({ resource: 'https://resource.example', signingKey: generateSigningKey(), authServer: as.issuer, development: true, now: () => clock });
    const delegate = generateSigningKey();
    const token = await as.mint({ aud: 'https://resource.example', agent: 'https://agent.example', cnfJwk: delegate.publicJwk, scope: 'a', lifetimeSeconds: 600, now: clock });
    const request = (jwt: string, key = delegate) => ({ method: 'GET', url, headers: { ...signRequest({ method: 'GET', url, headers: {} }, { key, signatureKey: { scheme: 'jwt', jwt }, created: clock }) } });
    await expect(resource.verify(request(token))).resolves.toMatchObject({ tokenType: 'auth', scopes: ['a'] }); // now cached
    return { resource, delegate, token, request };
  };
  const segments = (token: string): string[] => token.split('.');
  const withClaims = (token: string, change: Record<string, unknown>): string => {
    const [header, payload, signature] = segments(token);
    const claims = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>, ...change };
    return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
  };

  test('a warm token with its claims changed but its signature kept is verified afresh and refused', async () => {
    const { resource, token, request } = await setup();
    await expect(resource.verify(request(withClaims(token, { scope: 'a admin' })))).rejects.toMatchObject({ code: 'invalid_auth_token', status: 401 });
  });

  test('a warm token with its protected header changed but its signature kept is verified afresh and refused', async () => {
    const { resource, token, request } = await setup();
    const [header, payload, signature] = segments(token);
    const changed = { ...JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>, kid: 'another' };
    await expect(resource.verify(request([Buffer.from(JSON.stringify(changed)).toString('base64url'), payload, signature].join('.')))).rejects.toMatchObject({ status: 401 });
  });

  test('a warm token with its signature changed is verified afresh and refused', async () => {
    const { resource, token, request } = await setup();
    const [header, payload, signature] = segments(token);
    const flipped = `${signature!.slice(0, 10)}${signature![10] === 'A' ? 'B' : 'A'}${signature!.slice(11)}`;
    await expect(resource.verify(request([header, payload, flipped].join('.')))).rejects.toMatchObject({ code: 'invalid_auth_token', status: 401 });
  });

  test('a warm token presented by a request signed with another key is refused', async () => {
    const { resource, token, request } = await setup();
    await expect(resource.verify(request(token, generateSigningKey()))).rejects.toMatchObject({ code: 'invalid_signature', status: 401 });
  });

  test('the cached verdict\'s key cannot be altered through a request context', async () => {
    const { resource, token, request } = await setup();
    const context = await resource.verify(request(token));
    const intruder = generateSigningKey();
    expect(Object.isFrozen(context!.jwk)).toBe(true);
    expect(() => { (context!.jwk as Record<string, unknown>).x = intruder.publicJwk.x; }).toThrow(TypeError);
    await expect(resource.verify(request(token, intruder))).rejects.toMatchObject({ code: 'invalid_signature', status: 401 });
    await expect(resource.verify(request(token))).resolves.toMatchObject({ tokenType: 'auth' });
  });
});
