/**
 * Two instances of one resource sharing their verified-token cache and their metadata/JWKS cache
 * through Redis (`sharedCache`): a token verified at one is accepted at the other without a
 * signature check or a key fetch, and whoever can write to Redis still cannot make a token
 * accepted: every entry is MAC'd under the instances' shared secret, and an entry that does not
 * verify is ignored (logged) and the token verified afresh. The cache is an optimisation: Redis
 * down means verifying locally, never refusing and never accepting unchecked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROFILE, createAgentToken, createAuthToken, generateSigningKey, signRequest, toJwks, type AAuthLogger, type SigningKey } from '@aauth-ts/core';
import { AAuthResource } from '@aauth-ts/resource';
import { RedisStore } from '@aauth-ts/store-redis';
import { RedisServer, redisMissing } from '../../../scripts/redis-server.mjs';

const missing = redisMissing();
if (missing !== undefined) console.warn(missing);
const suite = missing === undefined ? describe : describe.skip;

const RESOURCE = 'https://resource.example';
const SECRET = 'a secret the instances share, 32 bytes or more long';

/** An issuer (Keycloak layout) on loopback that counts what it serves and can rotate its key. */
class Issuer {
  key: SigningKey = generateSigningKey();
  fetches = 0;
  url = '';
  readonly #server = http.createServer((req, res) => {
    this.fetches++;
    const path = new URL(req.url ?? '/', this.url).pathname;
    let body: unknown;
    if (path === `/realms/r/.well-known/${PROFILE.wellKnown.issuer}`) body = { issuer: this.issuer, token_endpoint: `${this.issuer}/token`, interaction_endpoint: `${this.issuer}/interact`, jwks_uri: `${this.issuer}/certs` };
    else if (path === `/.well-known/${PROFILE.wellKnown.agent}`) body = { agent: this.url, jwks_uri: `${this.url}/agent-jwks.json` };
    else if (path === '/realms/r/certs' || path === '/agent-jwks.json') body = toJwks([this.key]);
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });

  get issuer(): string {
    return `${this.url}/realms/r`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** A logger keeping its `warn` lines. */
function recorder(): AAuthLogger & { readonly warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (obj: object, msg?: string) => { warnings.push(`${msg ?? ''} ${JSON.stringify(obj)}`); } };
}

suite('resource instances sharing their verified-token and metadata caches in Redis', () => {
  let redis: RedisServer;
  let issuer: Issuer;
  const stores: RedisStore[] = [];
  const delegate = generateSigningKey();

  beforeAll(async () => {
    redis = await RedisServer.start();
    issuer = new Issuer();
    await issuer.listen();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await issuer?.close();
    await redis?.stop();
  });
  beforeEach(async () => {
    const admin = await RedisStore.connect(redis.url);
    await admin.client.flushall();
    await admin.close();
    issuer.key = generateSigningKey();
    issuer.fetches = 0;
  });

  /** One resource instance with its own Redis connection and its own in-process caches. */
  async function instance(options: { clock?: () => number; ttlMs?: number; secret?: string } = {}): Promise<{ resource: AAuthResource; log: ReturnType<typeof recorder>; store: RedisStore }> {
    const store = await RedisStore.connect(redis.url, { commandTimeoutMs: 300 });
    stores.push(store);
    const log = recorder();
    const resource = new AAuthResource({
      resource: RESOURCE, signingKey: generateSigningKey(), authServer: issuer.issuer, development: true, logger: log,
      fetcher: { allowLoopback: true, ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }) },
      sharedCache: { store, secret: options.secret ?? SECRET },
      ...(options.clock === undefined ? {} : { now: options.clock }),
    });
    return { resource, log, store };
  }

  function mint(lifetimeSeconds = 300, now?: number): Promise<string> {
    return createAuthToken(issuer.key, { iss: issuer.issuer, aud: RESOURCE, agent: 'https://agent.example', cnfJwk: delegate.publicJwk, scope: 'read', lifetimeSeconds, ...(now === undefined ? {} : { now }) });
  }

  function request(jwt: string, created?: number): { method: string; url: string; headers: Record<string, string> } {
    const url = `${RESOURCE}/things`;
    return { method: 'GET', url, headers: { ...signRequest({ method: 'GET', url, headers: {} }, { key: delegate, signatureKey: { scheme: 'jwt', jwt }, ...(created === undefined ? {} : { created }) }) } };
  }

  async function verdictKeys(store: RedisStore): Promise<string[]> {
    return store.client.keys('aauth:cache:verdict:*');
  }

  it('an auth token verified at instance 1 is accepted at instance 2 without fetching the issuer\'s metadata or JWKS', async () => {
    const [one, two] = [await instance(), await instance()];
    const token = await mint();
    await expect(one.resource.verify(request(token))).resolves.toMatchObject({ tokenType: 'auth', scopes: ['read'] });
    const fetched = issuer.fetches;
    expect(fetched).toBeGreaterThan(0);
    // Without the shared documents, only the verdict can spare instance 2 the fetch.
    for (const key of await one.store.client.keys('aauth:cache:doc:*')) await one.store.client.del(key);
    await expect(two.resource.verify(request(token))).resolves.toMatchObject({ tokenType: 'auth', scopes: ['read'], agent: 'https://agent.example', authToken: token });
    expect(issuer.fetches).toBe(fetched);
  });

  it('an agent token verified at instance 1 is accepted at instance 2 without fetching the agent server\'s JWKS', async () => {
    const [one, two] = [await instance(), await instance()];
    // The issuer's origin doubles as the agent server: `/.well-known/aauth-agent.json` → JWKS.
    const token = await createAgentToken(issuer.key, { iss: issuer.url, sub: 'delegate-1', cnfJwk: delegate.publicJwk });
    await expect(one.resource.verify(request(token))).resolves.toMatchObject({ tokenType: 'agent', agent: issuer.url });
    const fetched = issuer.fetches;
    for (const key of await one.store.client.keys('aauth:cache:doc:*')) await one.store.client.del(key);
    await expect(two.resource.verify(request(token))).resolves.toMatchObject({ tokenType: 'agent', agent: issuer.url, delegate: 'delegate-1' });
    expect(issuer.fetches).toBe(fetched);
  });

  it('metadata and JWKS fetched by instance 1 are reused by instance 2 for another token of the same issuer', async () => {
    const [one, two] = [await instance(), await instance()];
    await one.resource.verify(request(await mint()));
    const fetched = issuer.fetches;
    await expect(two.resource.verify(request(await mint(301)))).resolves.toMatchObject({ tokenType: 'auth' });
    expect(issuer.fetches).toBe(fetched);
  });

  it('a JWKS refetched for an unknown kid comes from the issuer, not from the shared copy that lacked it', async () => {
    const [one, two] = [await instance(), await instance()];
    await one.resource.verify(request(await mint()));
    issuer.key = generateSigningKey(); // rotated: the shared JWKS does not have the new kid
    const fetched = issuer.fetches;
    await expect(two.resource.verify(request(await mint()))).resolves.toMatchObject({ tokenType: 'auth' });
    expect(issuer.fetches).toBe(fetched + 1);
  });

  it('attack: a forged verdict (wrong MAC) for a garbage token is ignored and logged, and the token refused', async () => {
    const [one, two] = [await instance(), await instance()];
    const token = await mint();
    await one.resource.verify(request(token));
    const [key] = await verdictKeys(one.store);
    const genuine = (await one.store.client.get(key as string)) as string;
    // The attacker's token: the genuine token's claims, signed by nobody.
    const [header, payload] = token.split('.');
    const garbage = `${header}.${payload}.${Buffer.from('not a signature').toString('base64url')}`;
    const { createHash } = await import('node:crypto');
    const garbageKey = (key as string).replace(/[^:]+$/, createHash('sha256').update(garbage).digest('base64url'));
    // 1. The genuine entry with its MAC replaced.
    await one.store.client.set(garbageKey, genuine.replace(/^[^.]+/, Buffer.alloc(32, 7).toString('base64url')), 'PX', 60_000);
    await expect(two.resource.verify(request(garbage))).rejects.toMatchObject({ status: 401, code: 'invalid_auth_token' });
    // 2. The genuine entry, MAC and all, moved to the garbage token's key.
    await one.store.client.set(garbageKey, genuine, 'PX', 60_000);
    await expect(two.resource.verify(request(garbage))).rejects.toMatchObject({ status: 401, code: 'invalid_auth_token' });
    expect(two.log.warnings.filter((w) => /shared cache entry failed its MAC/.test(w))).toHaveLength(2);
  });

  it('attack: a verdict MAC\'d under another secret is ignored and the token verified afresh', async () => {
    const one = await instance({ secret: 'another secret, also 32 bytes or longer!' });
    const two = await instance();
    const token = await mint();
    await one.resource.verify(request(token));
    const fetched = issuer.fetches;
    await expect(two.resource.verify(request(token))).resolves.toMatchObject({ tokenType: 'auth' });
    expect(issuer.fetches).toBeGreaterThan(fetched);
    expect(two.log.warnings.some((w) => /shared cache entry failed its MAC/.test(w))).toBe(true);
  });

  it('attack: a JWKS planted in Redis without the MAC does not make a token signed by the planted key accepted', async () => {
    const [one, two] = [await instance(), await instance()];
    await one.resource.verify(request(await mint()));
    const docs = await one.store.client.keys('aauth:cache:doc:*');
    const attacker = generateSigningKey();
    let planted = 0;
    for (const key of docs) {
      const entry = (await one.store.client.get(key)) as string;
      const body = entry.slice(entry.indexOf('.') + 1);
      if (!body.includes('"keys"')) continue;
      const doc = JSON.parse(body) as { value: unknown };
      doc.value = { keys: [{ ...attacker.publicJwk, kid: issuer.key.kid }] };
      await one.store.client.set(key, `${Buffer.alloc(32, 1).toString('base64url')}.${JSON.stringify(doc)}`, 'PX', 60_000);
      planted++;
    }
    expect(planted).toBe(1);
    const forged = await createAuthToken({ ...attacker, kid: issuer.key.kid }, { iss: issuer.issuer, aud: RESOURCE, agent: 'https://agent.example', cnfJwk: delegate.publicJwk, scope: 'admin', lifetimeSeconds: 300 });
    await expect(two.resource.verify(request(forged))).rejects.toMatchObject({ status: 401 });
  });

  it('a shared verdict is not served past the token\'s exp: the token is verified afresh', async () => {
    let clock = Math.floor(Date.now() / 1000);
    const one = await instance({ clock: () => clock });
    const two = await instance({ clock: () => clock });
    const token = await mint(120, clock);
    await one.resource.verify(request(token, clock));
    for (const key of await one.store.client.keys('aauth:cache:doc:*')) await one.store.client.del(key);
    const fetched = issuer.fetches;
    clock += 121; // past exp, inside the verifier's 60 s skew: a fresh verification still accepts
    await expect(two.resource.verify(request(token, clock))).resolves.toMatchObject({ tokenType: 'auth' });
    expect(issuer.fetches).toBeGreaterThan(fetched);
  });

  it('a shared verdict lives no longer than the key cache: a key removed from the issuer\'s JWKS is not honoured past the document TTL', async () => {
    const one = await instance({ ttlMs: 1500 });
    const two = await instance({ ttlMs: 1500 });
    const token = await mint();
    await one.resource.verify(request(token));
    expect(await verdictKeys(one.store)).toHaveLength(1);
    issuer.key = generateSigningKey(); // rotated: the token's key is gone from the JWKS
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(two.resource.verify(request(token))).rejects.toMatchObject({ status: 401 });
  });

  it('attack: a genuine verdict and JWKS saved before a key rotation and written back after their time are not honoured', async () => {
    const one = await instance({ ttlMs: 1500 });
    const two = await instance({ ttlMs: 1500 });
    const token = await mint();
    await one.resource.verify(request(token));
    const saved = await Promise.all((await one.store.client.keys('aauth:cache:*')).map(async (key) => [key, await one.store.client.get(key)] as const));
    expect(saved.filter(([key]) => key.includes(':verdict:'))).toHaveLength(1);
    issuer.key = generateSigningKey();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    for (const [key, value] of saved) await one.store.client.set(key, value as string, 'PX', 60_000);
    await expect(two.resource.verify(request(token))).rejects.toMatchObject({ status: 401 });
  });

  it('Redis down: tokens are verified locally and served, with one warn line; nothing unchecked is accepted', async () => {
    const [one, two] = [await instance(), await instance()];
    const token = await mint();
    await one.resource.verify(request(token));
    await redis.kill();
    try {
      const fetched = issuer.fetches;
      await expect(two.resource.verify(request(token))).resolves.toMatchObject({ tokenType: 'auth' });
      await expect(two.resource.verify(request(await mint(299)))).resolves.toMatchObject({ tokenType: 'auth' });
      expect(issuer.fetches).toBeGreaterThan(fetched);
      const [header, payload] = token.split('.');
      await expect(two.resource.verify(request(`${header}.${payload}.AAAA`))).rejects.toMatchObject({ status: 401 });
      expect(two.log.warnings.filter((w) => /shared cache unavailable/.test(w))).toHaveLength(1);
    } finally {
      await redis.restart();
      // Every client back before the suite closes them (a client closed mid-reconnect lingers).
      for (const store of stores) {
        for (let attempt = 0; attempt < 100 && !(await store.rememberedSince().then(() => true, () => false)); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
});
