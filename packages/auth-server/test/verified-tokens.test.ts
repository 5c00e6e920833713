/**
 * Kept verdicts of agent and upstream tokens (token/verified-tokens.ts) save a signature check on
 * every request that presents the same token, and nothing else: each test below is a way a kept
 * verdict could let a token through that a full verification refuses.
 *
 * Unit tests drive the cache with a key source and a verifier of their own; the HTTP tests run a
 * real auth server on loopback, with an agent whose JWKS the test rotates and with call chaining.
 *
 * Cannot prove: how much work a hit saves (the benchmark measures that, tests never assert timings).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROFILE, createAgentToken, createAuthToken, generateSigningKey, toJwks, type IssuerKeySource, type PublicJwk } from '@aauth-ts/core';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { Party } from '../../../conformance/support/parties.js';
import { postJson, type Signer } from '../../../conformance/support/signed-fetch.js';
import { VerifiedTokens } from '../src/token/verified-tokens.js';
import { realmFor } from './helpers.js';

interface Claims { readonly iss: string; readonly aud: string; readonly exp: number; readonly cnf: { readonly jwk: { readonly x: string } } }

/** A key source serving `current` for every lookup, and a verifier that counts its runs. */
function harness(claimsOf: (token: string) => Claims = () => ({ iss: 'http://issuer.test', aud: 'a', exp: 2000, cnf: { jwk: { x: 'k' } } })) {
  const keyA = { kty: 'OKP', crv: 'Ed25519', x: 'A' } as PublicJwk;
  const state = { current: keyA as PublicJwk | undefined, verifications: 0 };
  const keys: IssuerKeySource = {
    async getKey() {
      if (state.current === undefined) throw new Error('no such key');
      return state.current;
    },
  };
  const verify = (token: string) => async (source: IssuerKeySource): Promise<Claims> => {
    state.verifications += 1;
    await source.getKey('http://issuer.test', PROFILE.wellKnown.agent, 'kid-1', 'EdDSA');
    if (token.endsWith('.bad')) throw new Error('the token signature does not verify');
    return claimsOf(token);
  };
  return { state, keys, verify, keyA };
}

describe('kept token verdicts (unit)', () => {
  it('a token is verified once while its verdict holds', async () => {
    const h = harness();
    const cache = new VerifiedTokens<Claims>();
    await cache.claims('h.p.sig', h.keys, 1000, h.verify('h.p.sig'));
    await cache.claims('h.p.sig', h.keys, 1001, h.verify('h.p.sig'));
    expect(h.state.verifications).toBe(1);
  });

  it('a token with the same signature segment but another header or payload is verified afresh (whole-token equality)', async () => {
    const h = harness();
    const cache = new VerifiedTokens<Claims>();
    await cache.claims('h.p.sig', h.keys, 1000, h.verify('h.p.sig'));
    await cache.claims('h.forged.sig', h.keys, 1000, h.verify('h.forged.sig'));
    await cache.claims('forged.p.sig', h.keys, 1000, h.verify('forged.p.sig'));
    expect(h.state.verifications).toBe(3);
  });

  it('a verdict ends at the token\'s exp: the next request is verified in full', async () => {
    const h = harness();
    const cache = new VerifiedTokens<Claims>();
    await cache.claims('h.p.sig', h.keys, 1000, h.verify('h.p.sig'));
    await cache.claims('h.p.sig', h.keys, 2000, h.verify('h.p.sig'));
    expect(h.state.verifications).toBe(2);
  });

  it('a clock that went back verifies afresh', async () => {
    const h = harness();
    const cache = new VerifiedTokens<Claims>();
    await cache.claims('h.p.sig', h.keys, 1000, h.verify('h.p.sig'));
    await cache.claims('h.p.sig', h.keys, 999, h.verify('h.p.sig'));
    expect(h.state.verifications).toBe(2);
  });

  it('a verdict ends when the key source no longer gives the key the token verified with (rotated out, or replaced on a refetch)', async () => {
    const h = harness();
    const cache = new VerifiedTokens<Claims>();
    await cache.claims('h.p.sig', h.keys, 1000, h.verify('h.p.sig'));
    h.state.current = { ...h.keyA }; // the same key material, fetched again: verified once more
    await cache.claims('h.p.sig', h.keys, 1000, h.verify('h.p.sig'));
    expect(h.state.verifications).toBe(2);
    h.state.current = undefined; // rotated out: the full verification's refusal is what the caller gets
    await expect(cache.claims('h.p.sig', h.keys, 1000, async (source) => {
      h.state.verifications += 1;
      await source.getKey('http://issuer.test', PROFILE.wellKnown.agent, 'kid-1', 'EdDSA');
      return { iss: 'x', aud: 'a', exp: 2000, cnf: { jwk: { x: 'k' } } };
    })).rejects.toThrow('no such key');
    expect(h.state.verifications).toBe(3);
  });

  it('a verdict that does not fit the request (another requester) is verified in full, and the refusal is not kept', async () => {
    const h = harness();
    const cache = new VerifiedTokens<Claims>();
    const forA = (claims: Claims): boolean => claims.aud === 'a';
    const forB = (claims: Claims): boolean => claims.aud === 'b';
    await cache.claims('h.p.sig', h.keys, 1000, h.verify('h.p.sig'), forA);
    await expect(cache.claims('h.p.sig', h.keys, 1000, async (source) => {
      await h.verify('h.p.sig')(source);
      throw new Error('aud mismatch');
    }, forB)).rejects.toThrow('aud mismatch');
    expect(h.state.verifications).toBe(2);
    await cache.claims('h.p.sig', h.keys, 1000, h.verify('h.p.sig'), forA);
    expect(h.state.verifications).toBe(2);
  });

  it('with a key source that answers at once (getKeyNow), a kept verdict is answered without a promise, and only while the source gives the same key', async () => {
    const h = harness();
    const keys: IssuerKeySource = { getKey: h.keys.getKey, getKeyNow: () => { if (h.state.current === undefined) throw new Error('no such key'); return h.state.current; } };
    const cache = new VerifiedTokens<Claims>();
    const first = cache.claims('h.p.sig', keys, 1000, h.verify('h.p.sig'));
    expect(first).toBeInstanceOf(Promise);
    const claims = await first;
    const kept = cache.claims('h.p.sig', keys, 1001, h.verify('h.p.sig'));
    expect(kept).toBe(claims);
    expect(h.state.verifications).toBe(1);
    // Another key now (the same material, fetched again), and then none: verified in full, with a promise.
    h.state.current = { ...h.keyA };
    const again = cache.claims('h.p.sig', keys, 1001, h.verify('h.p.sig'));
    expect(again).toBeInstanceOf(Promise);
    await again;
    expect(h.state.verifications).toBe(2);
    h.state.current = undefined;
    await expect(cache.claims('h.p.sig', keys, 1001, h.verify('h.p.sig'))).rejects.toThrow('no such key');
    expect(h.state.verifications).toBe(3);
    // A verdict that does not fit, or has ended, is never answered at once either.
    h.state.current = h.keyA;
    await cache.claims('h.p.sig', keys, 1001, h.verify('h.p.sig'));
    expect(cache.claims('h.p.sig', keys, 1001, h.verify('h.p.sig'), () => false)).toBeInstanceOf(Promise);
    expect(cache.claims('h.p.sig', keys, 2000, h.verify('h.p.sig'))).toBeInstanceOf(Promise);
  });

  it('a refused token is not kept: presented again, it is verified again and refused again', async () => {
    const h = harness();
    const cache = new VerifiedTokens<Claims>();
    await expect(cache.claims('h.p.bad', h.keys, 1000, h.verify('h.p.bad'))).rejects.toThrow('does not verify');
    await expect(cache.claims('h.p.bad', h.keys, 1000, h.verify('h.p.bad'))).rejects.toThrow('does not verify');
    expect(h.state.verifications).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('kept claims are frozen, to the key inside them: no request can alter what a later one is checked against', async () => {
    const h = harness();
    const cache = new VerifiedTokens<Claims>();
    const claims = await cache.claims('h.p.sig', h.keys, 1000, h.verify('h.p.sig'));
    expect(Object.isFrozen(claims)).toBe(true);
    expect(Object.isFrozen(claims.cnf.jwk)).toBe(true);
  });

  it('entries are bounded: the least recently used verdict goes first', async () => {
    const h = harness();
    const cache = new VerifiedTokens<Claims>({ maxEntries: 2, maxBytes: 1 << 20 });
    for (const t of ['h.p.s1', 'h.p.s2', 'h.p.s3']) await cache.claims(t, h.keys, 1000, h.verify(t));
    expect(cache.size).toBe(2);
    await cache.claims('h.p.s1', h.keys, 1000, h.verify('h.p.s1'));
    expect(h.state.verifications).toBe(4);
  });
});

/** JSON documents served from a map the test may change. */
async function documents(): Promise<{ id: string; docs: Map<string, unknown>; server: Server }> {
  const docs = new Map<string, unknown>();
  const server = createServer((req, res) => {
    const doc = docs.get((req.url ?? '/').split('?')[0] as string);
    res.setHeader('Content-Type', 'application/json');
    res.statusCode = doc === undefined ? 404 : 200;
    res.end(JSON.stringify(doc ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { id: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, docs, server };
}

const stop = (server: Server): Promise<void> => new Promise((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
});

describe('kept agent token verdicts at the token endpoint', () => {
  const KEY_CACHE_MS = 300;
  let agent: Awaited<ReturnType<typeof documents>>;
  const resource = new Party({ port: 0, resource: true });
  let server: AuthServer;
  let issuer = '';
  const oldKey = generateSigningKey('Ed25519', 'agent-key-1');
  const newKey = generateSigningKey('Ed25519', 'agent-key-2');
  const delegate = generateSigningKey('Ed25519', 'delegate-1');

  beforeAll(async () => {
    agent = await documents();
    agent.docs.set('/jwks.json', toJwks([oldKey]));
    agent.docs.set(`/.well-known/${PROFILE.wellKnown.agent}`, { agent: agent.id, jwks_uri: `${agent.id}/jwks.json` });
    await resource.start();
    const realm = realmFor({ id: agent.id } as Party, resource) as { clients: Array<Record<string, unknown>> };
    realm.clients[0] = { ...realm.clients[0], consentRequired: false };
    server = createAuthServer({ log: () => undefined, realm, fetcher: { ttlMs: KEY_CACHE_MS } });
    ({ issuer } = await server.listen(0));
  });

  afterAll(async () => {
    await server.close();
    await Promise.all([stop(agent.server), resource.stop()]);
  });

  const tokenRequest = async (agentToken: string): Promise<{ status: number; error: unknown }> => {
    const signer: Signer = { key: delegate, signatureKey: { scheme: 'jwt', jwt: agentToken } };
    const rt = await resource.resourceToken({ aud: issuer, agent: agent.id, agentJkt: delegate.thumbprint, scope: 'data:read' });
    const res = await postJson(`${issuer}/protocol/aauth/token`, signer, { resource_token: rt });
    return { status: res.status, error: res.json.error };
  };

  it('an agent token whose key has been rotated out of the agent\'s JWKS is refused after the key cache TTL, although its verdict was kept', async () => {
    const agentToken = await createAgentToken(oldKey, { iss: agent.id, sub: 'delegate-1', cnfJwk: delegate.publicJwk });
    expect(await tokenRequest(agentToken)).toEqual({ status: 200, error: undefined });
    expect(await tokenRequest(agentToken)).toEqual({ status: 200, error: undefined });
    agent.docs.set('/jwks.json', toJwks([newKey]));
    await new Promise((resolve) => setTimeout(resolve, KEY_CACHE_MS + 100));
    expect(await tokenRequest(agentToken)).toEqual({ status: 401, error: 'invalid_agent_token' });
    // The agent's tokens under its new key are accepted.
    expect(await tokenRequest(await createAgentToken(newKey, { iss: agent.id, sub: 'delegate-1', cnfJwk: delegate.publicJwk }))).toEqual({ status: 200, error: undefined });
  });

  it('a kept agent token does not sign for another key: the request signature is still checked against its cnf.jwk', async () => {
    const agentToken = await createAgentToken(newKey, { iss: agent.id, sub: 'delegate-1', cnfJwk: delegate.publicJwk });
    expect((await tokenRequest(agentToken)).status).toBe(200);
    const thief: Signer = { key: generateSigningKey(), signatureKey: { scheme: 'jwt', jwt: agentToken } };
    const rt = await resource.resourceToken({ aud: issuer, agent: agent.id, agentJkt: delegate.thumbprint, scope: 'data:read' });
    const res = await postJson(`${issuer}/protocol/aauth/token`, thief, { resource_token: rt });
    expect({ status: res.status, error: res.json.error }).toEqual({ status: 401, error: 'invalid_signature' });
  });
});

describe('kept upstream token verdicts at the token endpoint (call chaining)', () => {
  const mid = new Party({ port: 0, agent: true, resource: true });
  const other = new Party({ port: 0, agent: true });
  const down = new Party({ port: 0, resource: true });
  let server: AuthServer;
  let issuer = '';

  beforeAll(async () => {
    await Promise.all([mid.start(), other.start(), down.start()]);
    const chaining = { 'aauth.agent': 'true', 'aauth.chainScopes': '["down:read"]' };
    server = createAuthServer({
      log: () => undefined,
      realm: {
        realm: 'chain',
        attributes: { 'aauth.allowLoopback': 'true' },
        users: [{ id: 'user-1', username: 'user-1' }],
        clientScopes: [{ name: 'down:read', attributes: { 'aauth.resource': down.id } }, { name: 'mid:use', attributes: { 'aauth.resource': mid.id } }],
        clients: [
          { clientId: mid.id, attributes: { ...chaining, 'aauth.resource': 'true' }, optionalClientScopes: ['down:read'] },
          { clientId: other.id, attributes: chaining, optionalClientScopes: ['down:read'] },
          { clientId: down.id, attributes: { 'aauth.resource': 'true' } },
        ],
      },
    });
    ({ issuer } = await server.listen(0));
  });

  afterAll(async () => {
    await server.close();
    await Promise.all([mid.stop(), other.stop(), down.stop()]);
  });

  const exchange = async (as: Party, upstream: string): Promise<{ status: number; error: unknown }> => {
    const signer: Signer = { key: as.delegateKey, signatureKey: { scheme: 'jwt', jwt: await as.agentToken() } };
    const rt = await down.resourceToken({ aud: issuer, agent: as.id, agentJkt: as.delegateKey.thumbprint, scope: 'down:read' });
    const res = await postJson(`${issuer}/protocol/aauth/token`, signer, { resource_token: rt, upstream_token: upstream });
    return { status: res.status, error: res.json.error };
  };

  it('an upstream token kept as verified for the intermediary it names is refused when another agent presents it', async () => {
    const upstream = await createAuthToken(server.keys.active, {
      iss: issuer, aud: mid.id, agent: 'http://127.0.0.1:1', cnfJwk: generateSigningKey().publicJwk, sub: 'user-1', scope: 'mid:use', lifetimeSeconds: 300,
    });
    expect(await exchange(mid, upstream)).toEqual({ status: 200, error: undefined });
    expect(await exchange(mid, upstream)).toEqual({ status: 200, error: undefined });
    expect(await exchange(other, upstream)).toEqual({ status: 400, error: 'invalid_auth_token' });
    expect(await exchange(mid, upstream)).toEqual({ status: 200, error: undefined });
  });
});
