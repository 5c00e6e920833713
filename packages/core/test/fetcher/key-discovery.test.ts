/**
 * Issuer key discovery over real loopback servers: `{iss}/.well-known/{document}` → `jwks_uri` →
 * JWKS → `kid`, with GuardedFetcher({ allowLoopback: true }). Also the full token verifications of
 * all three token types with discovered keys, and the rate-limited refetch on an unknown `kid`.
 */
import {
  GuardedFetcher, KeyDiscovery, createAgentToken, createAuthToken, createResourceToken, generateSigningKey, toJwks,
  verifyAgentToken, verifyAuthToken, verifyResourceToken, type AAuthError, type SigningKey,
} from '@aauth-ts/core';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { refusal } from '../helpers/refusal.js';

let agentServer: LoopbackServer;
let resourceServer: LoopbackServer;
let authServer: LoopbackServer;
let issuer: string;

const agentKey = generateSigningKey('Ed25519', 'agent-1');
const resourceKey = generateSigningKey('Ed25519', 'resource-1');
const issuerKey = generateSigningKey('RSA', 'realm-rs256');
const delegate = generateSigningKey('Ed25519');
let agentJwks: SigningKey[] = [agentKey];

beforeAll(async () => {
  [agentServer, resourceServer, authServer] = await Promise.all([startLoopbackServer(), startLoopbackServer(), startLoopbackServer()]);
  agentServer.json('/.well-known/aauth-agent.json', { agent: agentServer.origin, jwks_uri: `${agentServer.origin}/jwks.json` });
  agentServer.route('/jwks.json', (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(toJwks(agentJwks))); });
  resourceServer.json('/.well-known/aauth-resource.json', { resource: resourceServer.origin, jwks_uri: `${resourceServer.origin}/jwks.json` });
  resourceServer.json('/jwks.json', toJwks([resourceKey]));
  // Keycloak layout: the issuer carries a path, trusted by its exact string.
  issuer = `${authServer.origin}/realms/demo`;
  authServer.json('/realms/demo/.well-known/aauth-issuer.json', {
    issuer, token_endpoint: `${issuer}/protocol/aauth/token`, interaction_endpoint: `${issuer}/protocol/aauth/interact`, jwks_uri: `${issuer}/protocol/openid-connect/certs`,
  });
  authServer.json('/realms/demo/protocol/openid-connect/certs', toJwks([issuerKey]));
  // A host serving somebody else's metadata.
  authServer.json('/impostor/.well-known/aauth-issuer.json', {
    issuer: 'https://real-as.example', token_endpoint: 'https://real-as.example/t', interaction_endpoint: 'https://real-as.example/i', jwks_uri: `${issuer}/protocol/openid-connect/certs`,
  });
  authServer.json('/no-jwks/.well-known/aauth-issuer.json', { issuer: `${authServer.origin}/no-jwks`, token_endpoint: 'x', interaction_endpoint: 'y' });
});

afterAll(async () => {
  await Promise.all([agentServer.close(), resourceServer.close(), authServer.close()]);
});

function discovery(cooldownMs = 60_000): KeyDiscovery {
  return new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }), { refetchCooldownMs: cooldownMs });
}

const identifiers = { allowLoopbackHttp: true };

describe('token verification with keys discovered over HTTP', () => {
  it('agent token: aauth-agent.json → jwks_uri → kid', async () => {
    const token = await createAgentToken(agentKey, { iss: agentServer.origin, sub: 'delegate-1', cnfJwk: delegate.publicJwk });
    await expect(verifyAgentToken(token, { keys: discovery(), identifiers })).resolves.toMatchObject({ iss: agentServer.origin, sub: 'delegate-1' });
  });

  it('agent token: a loopback http issuer is refused unless the identifier policy allows it', async () => {
    const token = await createAgentToken(agentKey, { iss: agentServer.origin, sub: 'delegate-1', cnfJwk: delegate.publicJwk });
    expect(await refusal(verifyAgentToken(token, { keys: discovery() }))).toMatchObject({ code: 'invalid_agent_token', detail: { reason: 'invalid_identifier' } });
  });

  it('resource token: aauth-resource.json', async () => {
    const token = await createResourceToken(resourceKey, { iss: resourceServer.origin, aud: issuer, agent: agentServer.origin, agentJkt: delegate.thumbprint });
    await expect(verifyResourceToken(token, { keys: discovery(), identifiers, audience: issuer, agent: agentServer.origin, agentJkt: delegate.thumbprint }))
      .resolves.toMatchObject({ agent_jkt: delegate.thumbprint });
  });

  it('auth token: a path-carrying issuer (Keycloak layout), RS256 realm key', async () => {
    const token = await createAuthToken(issuerKey, { iss: issuer, aud: resourceServer.origin, agent: agentServer.origin, cnfJwk: delegate.publicJwk, sub: 'user-1', lifetimeSeconds: 300 });
    await expect(verifyAuthToken(token, { keys: discovery(), trustedIssuers: [issuer], audience: resourceServer.origin, agent: agentServer.origin, cnfThumbprint: delegate.thumbprint }))
      .resolves.toMatchObject({ sub: 'user-1' });
  });

  it('auth token: cnf mismatch → key_binding_failed', async () => {
    const token = await createAuthToken(issuerKey, { iss: issuer, aud: resourceServer.origin, agent: agentServer.origin, cnfJwk: delegate.publicJwk, sub: 'user-1', lifetimeSeconds: 300 });
    expect(await refusal(verifyAuthToken(token, { keys: discovery(), trustedIssuers: [issuer], cnfThumbprint: agentKey.thumbprint }))).toMatchObject({ code: 'key_binding_failed' });
  });

  it('a metadata failure surfaces as the token type\'s error with the cause kept', async () => {
    const impostor = `${authServer.origin}/impostor`;
    const token = await createAuthToken(issuerKey, { iss: impostor, aud: 'x', agent: 'y', cnfJwk: delegate.publicJwk, sub: 'u', lifetimeSeconds: 300 });
    const err = await refusal(verifyAuthToken(token, { keys: discovery(), trustedIssuers: [impostor] }));
    expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { field: 'kid', reason: 'key_unavailable' } });
    expect((err.detail.cause as AAuthError).detail).toMatchObject({ field: 'issuer', reason: 'invalid_document' });
  });
});

describe('KeyDiscovery', () => {
  it('metadata identifier mismatch is refused and not cached', async () => {
    const keys = discovery();
    const impostor = `${authServer.origin}/impostor`;
    const hits = () => authServer.hits.get('/impostor/.well-known/aauth-issuer.json') ?? 0;
    const before = hits();
    const err = await refusal(keys.metadata(impostor, 'aauth-issuer.json'));
    expect(err).toMatchObject({ reason: 'invalid_document', detail: { field: 'issuer', expected: impostor, actual: 'https://real-as.example' } });
    await refusal(keys.metadata(impostor, 'aauth-issuer.json'));
    expect(hits()).toBe(before + 2);
  });

  it('metadata without jwks_uri', async () => {
    const err = await refusal(discovery().metadata(`${authServer.origin}/no-jwks`, 'aauth-issuer.json'));
    expect(err).toMatchObject({ reason: 'invalid_document', detail: { field: 'jwks_uri' } });
  });

  it('metadata and JWKS are cached between lookups', async () => {
    const keys = discovery();
    const before = resourceServer.hits.get('/jwks.json') ?? 0;
    await keys.getKey(resourceServer.origin, 'aauth-resource.json', 'resource-1', 'EdDSA');
    await keys.getKey(resourceServer.origin, 'aauth-resource.json', 'resource-1', 'EdDSA');
    expect(resourceServer.hits.get('/jwks.json')).toBe(before + 1);
  });

  it('getKeyNow: a promise until the metadata and JWKS are cached, then the same key at once; nothing cached, or no such key, is getKey', async () => {
    const keys = discovery();
    const cold = keys.getKeyNow(resourceServer.origin, 'aauth-resource.json', 'resource-1', 'EdDSA');
    expect(cold).toBeInstanceOf(Promise);
    const key = await cold;
    const warm = keys.getKeyNow(resourceServer.origin, 'aauth-resource.json', 'resource-1', 'EdDSA');
    expect(warm).not.toBeInstanceOf(Promise);
    expect(warm).toBe(key);
    expect(warm).toEqual(await keys.getKey(resourceServer.origin, 'aauth-resource.json', 'resource-1', 'EdDSA'));
    // Not in the cached JWKS, or of another type: getKey's refetch and refusal, with a promise.
    const missing = keys.getKeyNow(resourceServer.origin, 'aauth-resource.json', 'resource-1', 'RS256');
    expect(missing).toBeInstanceOf(Promise);
    expect(await refusal(missing as Promise<unknown>)).toMatchObject({ reason: 'invalid_document', detail: { reason: 'unknown_key' } });
  });

  it('getKeyNow: a cached metadata document that does not validate is never answered at once, and getKey refuses it as before', async () => {
    const keys = discovery();
    const impostor = `${authServer.origin}/impostor`;
    const first = await refusal(keys.getKey(impostor, 'aauth-issuer.json', 'realm-rs256', 'RS256'));
    const now = keys.getKeyNow(impostor, 'aauth-issuer.json', 'realm-rs256', 'RS256');
    expect(now).toBeInstanceOf(Promise);
    const second = await refusal(now as Promise<unknown>);
    expect({ name: second.name, message: second.message }).toEqual({ name: first.name, message: first.message });
  });

  it('a key of another type than the token alg is not selected', async () => {
    const err = await refusal(discovery().getKey(resourceServer.origin, 'aauth-resource.json', 'resource-1', 'RS256'));
    expect(err).toMatchObject({ reason: 'invalid_document', detail: { reason: 'unknown_key' } });
  });

  it('unknown kid: one refetch, then rate-limited until the cooldown passes', async () => {
    const keys = discovery(60_000);
    const hits = () => agentServer.hits.get('/jwks.json') ?? 0;
    const before = hits();
    await refusal(keys.getKey(agentServer.origin, 'aauth-agent.json', 'made-up-1', 'EdDSA'));
    expect(hits()).toBe(before + 2); // the cached copy, then one refetch
    for (let i = 0; i < 10; i++) await refusal(keys.getKey(agentServer.origin, 'aauth-agent.json', `made-up-${i + 2}`, 'EdDSA'));
    expect(hits()).toBe(before + 2); // a flood of made-up kids causes no further fetches
  });

  it('key rotation: a new kid is found by the refetch', async () => {
    const keys = discovery(0);
    await keys.getKey(agentServer.origin, 'aauth-agent.json', 'agent-1', 'EdDSA');
    const rotated = generateSigningKey('Ed25519', 'agent-2');
    agentJwks = [agentKey, rotated];
    try {
      await expect(keys.getKey(agentServer.origin, 'aauth-agent.json', 'agent-2', 'EdDSA')).resolves.toMatchObject({ kid: 'agent-2', x: rotated.publicJwk.x });
    } finally {
      agentJwks = [agentKey];
    }
  });

  it('a flood of distinct agent ids with made-up kids stays within the refetch-mark and cache bounds', async () => {
    // Every `*.localhost` name is an agent of its own: metadata named after the Host header.
    const flood = await startLoopbackServer();
    flood.route('/.well-known/aauth-agent.json', (req, res) => {
      const id = `http://${String(req.headers.host)}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ agent: id, jwks_uri: `${id}/jwks.json` }));
    });
    flood.json('/jwks.json', toJwks([agentKey]));
    try {
      const keys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true, cacheEntries: 10, cacheBytes: 8192 }), { refetchCooldownMs: 60_000, refetchEntries: 5 });
      const port = new URL(flood.origin).port;
      for (let i = 0; i < 60; i++) {
        const id = `http://flood-${i}.localhost:${port}`;
        expect(await refusal(keys.getKey(id, 'aauth-agent.json', `made-up-${i}`, 'EdDSA'))).toMatchObject({ detail: { reason: 'unknown_key' } });
      }
      expect(keys.refetchMarks).toBeLessThanOrEqual(5);
      expect(keys.fetcher.stats().entries).toBeLessThanOrEqual(10);
      expect(keys.fetcher.stats().bytes).toBeLessThanOrEqual(8192);
    } finally {
      await flood.close();
    }
  });
});
