/**
 * Key discovery through `dwk` over real loopback servers (draft-hardt-oauth-aauth-protocol §JWKS
 * Discovery and Caching, §Metadata Documents): `{iss}/.well-known/{dwk}` → `issuer` checked →
 * `jwks_uri` → JWKS → the key with the header `kid` and the token's fully specified `alg`.
 */
import {
  GuardedFetcher, KeyDiscovery, createAaAgentToken, createAaPersonToken, generateSigningKey, verifyAaAgentToken, verifyAaPersonToken,
  FetchError, type AAuthError, type PublicJwk,
} from '@aauth-ts/core';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { refusal } from '../helpers/refusal.js';

let ap: LoopbackServer;
let ps: LoopbackServer;
const apKey = generateSigningKey('Ed25519', 'ap-1');
const psKey = generateSigningKey('Ed25519', 'ps-1');
const agentKey = generateSigningKey('Ed25519');
const identifiers = { allowLoopbackHttp: true };
let jwks: PublicJwk[] = [];

beforeAll(async () => {
  [ap, ps] = await Promise.all([startLoopbackServer(), startLoopbackServer()]);
  ap.json('/.well-known/aauth-agent.json', { issuer: ap.origin, jwks_uri: `${ap.origin}/jwks.json` });
  ap.route('/jwks.json', (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks })); });
  // The PS publishes its Person Server document, but under somebody else's issuer.
  ps.json('/.well-known/aauth-person.json', { issuer: 'https://ps.example', jwks_uri: `${ps.origin}/jwks.json`, auth_token_endpoint: `${ps.origin}/t`, person_token_endpoint: `${ps.origin}/p` });
  ps.json('/jwks.json', { keys: [{ ...psKey.publicJwk, alg: 'Ed25519' }] });
});

afterAll(async () => {
  await Promise.all([ap.close(), ps.close()]);
});

function discovery(): KeyDiscovery {
  return new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }), { profile: 'aauth-current', refetchCooldownMs: 0 });
}

function causeReason(err: AAuthError): unknown {
  return err.detail.cause instanceof FetchError ? err.detail.cause.detail.reason : undefined;
}

describe('dwk key discovery', () => {
  it('finds the agent provider key at {iss}/.well-known/aauth-agent.json → jwks_uri → kid', async () => {
    jwks = [{ ...apKey.publicJwk, alg: 'Ed25519' }];
    const token = await createAaAgentToken(apKey, { iss: ap.origin, sub: 'aauth:a@agent.example', cnfJwk: agentKey.publicJwk });
    await expect(verifyAaAgentToken(token, { keys: discovery(), identifiers, requestKey: agentKey.publicJwk })).resolves.toMatchObject({ iss: ap.origin });
  });

  it('a JWKS key whose alg is the polymorphic EdDSA is not used', async () => {
    jwks = [{ ...apKey.publicJwk, alg: 'EdDSA' }];
    const token = await createAaAgentToken(apKey, { iss: ap.origin, sub: 'aauth:a@agent.example', cnfJwk: agentKey.publicJwk });
    const err = await refusal(verifyAaAgentToken(token, { keys: discovery(), identifiers }));
    expect([err.code, err.detail.reason, causeReason(err)]).toEqual(['invalid_agent_token', 'key_unavailable', 'unknown_key']);
  });

  it('a JWKS key without alg is not used', async () => {
    const { alg: _alg, ...noAlg } = apKey.publicJwk;
    jwks = [noAlg];
    const token = await createAaAgentToken(apKey, { iss: ap.origin, sub: 'aauth:a@agent.example', cnfJwk: agentKey.publicJwk });
    expect(causeReason(await refusal(verifyAaAgentToken(token, { keys: discovery(), identifiers })))).toBe('unknown_key');
  });

  it('an unusable JWKS member beside the kid-selected key does not fail selection', async () => {
    jwks = [{ kty: 'ML-DSA', kid: 'pq', alg: 'ML-DSA-44' }, { ...apKey.publicJwk, alg: 'Ed25519' }];
    const token = await createAaAgentToken(apKey, { iss: ap.origin, sub: 'aauth:a@agent.example', cnfJwk: agentKey.publicJwk });
    await expect(verifyAaAgentToken(token, { keys: discovery(), identifiers })).resolves.toBeDefined();
  });

  it('a metadata document whose issuer is not the fetched origin is refused as issuer_mismatch', async () => {
    const token = await createAaPersonToken(psKey, { iss: ps.origin, aud: 'https://resource.example', sub: 's', cnfJwk: agentKey.publicJwk });
    const err = await refusal(verifyAaPersonToken(token, { keys: discovery(), identifiers, audience: 'https://resource.example' }));
    expect([err.code, causeReason(err)]).toEqual(['invalid_person_token', 'issuer_mismatch']);
  });

  it('a metadata document without issuer is issuer_missing; a 2026-03 document (member "agent") is not a current one', async () => {
    const d = discovery();
    const other = await startLoopbackServer();
    try {
      other.json('/.well-known/aauth-agent.json', { agent: other.origin, jwks_uri: `${other.origin}/jwks.json` });
      const err = await refusal(d.currentMetadata(other.origin, 'aauth-agent.json'));
      expect(err.detail.reason).toBe('issuer_missing');
    } finally {
      await other.close();
    }
  });
});
