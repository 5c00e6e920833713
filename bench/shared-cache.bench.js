// The shared verified-token cache (`sharedCache`, @aauth-ts/store-redis) measured in one run
// against a redis-server started here on loopback (skipped with a message where it is absent): a
// request at instance 2 presenting an auth token instance 1 verified (verdict from Redis, MAC
// checked), against the same token already in instance 2's own cache, and against a token
// instance 2 has never seen, without the shared cache (token signature checked, JWKS cached
// locally). `resource.verify` in this thread, requests signed beforehand, fresh tokens each round.
import { serveDocuments } from './documents.js';
import { ROUNDS, fmt, median, row, withRedis } from './harness.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const OPS = Number(process.env.BENCH_VERDICT_OPS ?? 1000);

async function verdictFigures(redisUrl) {
  const { PROFILE, createAuthToken, generateSigningKey, signRequest, toJwks } = await import('@aauth-ts/core');
  const { AAuthResource } = await import('@aauth-ts/resource');
  const { RedisStore } = await import('@aauth-ts/store-redis');
  const key = generateSigningKey();
  const issuerDocs = await serveDocuments((id) => new Map([
    [`/realms/bench/.well-known/${PROFILE.wellKnown.issuer}`, { issuer: `${id}/realms/bench`, token_endpoint: `${id}/realms/bench/token`, interaction_endpoint: `${id}/realms/bench/interact`, jwks_uri: `${id}/realms/bench/certs` }],
    ['/realms/bench/certs', toJwks([key])],
  ]));
  const issuer = `${issuerDocs.id}/realms/bench`;
  const resource = 'https://resource.example';
  const secret = 'bench secret shared by the instances, 32+ bytes';
  const stores = [await RedisStore.connect(redisUrl), await RedisStore.connect(redisUrl)];
  const instance = (options) => new AAuthResource({ resource, signingKey: generateSigningKey(), authServer: issuer, development: true, ...options });
  const one = instance({ sharedCache: { store: stores[0], secret } });
  const shared = instance({ sharedCache: { store: stores[1], secret } });
  const local = instance({});
  const delegate = generateSigningKey();
  const mint = () => createAuthToken(key, { iss: issuer, aud: resource, agent: 'https://agent.example', cnfJwk: delegate.publicJwk, scope: 'read', lifetimeSeconds: 300 });
  const request = (jwt) => {
    const url = `${resource}/things`;
    return { method: 'GET', url, headers: { ...signRequest({ method: 'GET', url, headers: {} }, { key: delegate, signatureKey: { scheme: 'jwt', jwt } }) } };
  };
  const run = async (target, requests) => {
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < requests.length) await target.verify(requests[next++]); }));
    return requests.length / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  const warmToken = await mint();
  await local.verify(request(warmToken)); // warms the JWKS and the in-process cache
  const rounds = [];
  for (let round = 0; round <= ROUNDS; round++) {
    // Fresh tokens each round: verified at instance 1 (so in Redis) for the shared figure, unseen for "none".
    const viaShared = await Promise.all(Array.from({ length: OPS }, mint));
    for (const t of viaShared) await one.verify(request(t));
    const unseen = await Promise.all(Array.from({ length: OPS }, mint));
    const r = {
      shared: await run(shared, viaShared.map(request)),
      local: await run(local, Array.from({ length: OPS }, () => request(warmToken))),
      none: await run(local, unseen.map(request)),
    };
    if (round > 0) rounds.push(r); // round 0 warms the JIT and instance 2's JWKS
  }
  for (const s of stores) await s.close();
  issuerDocs.server.close();
  return [
    row('instance 2: token in its own cache', `${fmt(median(rounds.map((r) => r.local)))} req/s`),
    row('instance 2: verdict from shared cache', `${fmt(median(rounds.map((r) => r.shared)))} req/s`, { ratio: median(rounds.map((r) => r.shared / r.local)), baseline: 'token in its own cache' }),
    row('instance 2: new token, no shared cache', `${fmt(median(rounds.map((r) => r.none)))} req/s`, { ratio: median(rounds.map((r) => r.none / r.local)), baseline: 'token in its own cache' }),
  ];
}

export default function sharedCacheBench() {
  return withRedis('shared verified-token cache: a token verified at instance 1, presented at instance 2', async (redisUrl) => ({
    note: `resource.verify of a GET with an auth token (jwt scheme), ${OPS} requests per round at concurrency ${CONCURRENCY}, fresh tokens each round, ${ROUNDS} rounds after a warm-up`,
    rows: await verdictFigures(redisUrl),
  }));
}
