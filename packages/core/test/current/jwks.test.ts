/** `toJwks` per profile: the current profile publishes every key with its fully specified `alg`. */
import { GuardedFetcher, KeyDiscovery, generateSigningKey, toJwks } from '@aauth-ts/core';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';

let server: LoopbackServer;
const ed = generateSigningKey('Ed25519', 'ed-1');
const ec = generateSigningKey('P-256', 'ec-1');

beforeAll(async () => {
  server = await startLoopbackServer();
  server.json('/.well-known/aauth-person.json', { issuer: server.origin, jwks_uri: `${server.origin}/jwks.json`, auth_token_endpoint: `${server.origin}/t`, person_token_endpoint: `${server.origin}/p` });
  server.json('/jwks.json', toJwks([ed, ec], 'aauth-current'));
});

afterAll(async () => {
  await server.close();
});

it('a 2026-03 JWKS keeps each key\'s own alg; a current one names Ed25519 (never EdDSA) and ES256', () => {
  expect(toJwks([ed]).keys[0]).toMatchObject({ kid: 'ed-1', alg: ed.jwsAlgorithm, use: 'sig' });
  expect(toJwks([ed, ec], 'aauth-current').keys.map((k) => [k.kid, k.alg, k.use])).toEqual([['ed-1', 'Ed25519', 'sig'], ['ec-1', 'ES256', 'sig']]);
});

it('a current-profile JWKS is usable by dwk discovery, which takes only keys with a fully specified alg', async () => {
  const keys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }), { profile: 'aauth-current' });
  await expect(keys.getKey(server.origin, 'aauth-person.json', 'ed-1', 'Ed25519')).resolves.toMatchObject({ kid: 'ed-1', alg: 'Ed25519' });
});
