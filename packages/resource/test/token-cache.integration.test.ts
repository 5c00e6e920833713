/**
 * The verified-token cache never outlives a token: with an injected clock, a token accepted warm
 * is refused once the clock passes its `exp` (plus the verifier's skew), cache or not.
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
