/**
 * Two embedded auth-server instances of one realm sharing their metadata/JWKS cache through Redis
 * (`sharedCache`): the agent's and the resource's documents fetched by one instance for a token
 * request are reused by the other, MAC'd under the instances' secret like a resource's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthServer, endpointUrls, type AuthServer } from '@aauth-ts/auth-server';
import { RedisStore } from '@aauth-ts/store-redis';
import { Party } from '../../../conformance/support/parties.js';
import { postJson } from '../../../conformance/support/signed-fetch.js';
import { realmFor } from '../../auth-server/test/helpers.js';
import { RedisServer, redisMissing } from '../../../scripts/redis-server.mjs';
import { LoadBalancer } from './instances.js';

const missing = redisMissing();
if (missing !== undefined) console.warn(missing);
const suite = missing === undefined ? describe : describe.skip;

suite('embedded auth-server instances sharing their metadata/JWKS cache in Redis', () => {
  let redis: RedisServer;
  let dir: string;
  let balancer: LoadBalancer;
  const servers: { server: AuthServer; port: number; store: RedisStore }[] = [];
  const agent = new Party({ port: 0, agent: true });
  const resource = new Party({ port: 0, resource: true });

  beforeAll(async () => {
    redis = await RedisServer.start();
    dir = mkdtempSync(join(tmpdir(), 'aauth-shared-docs-'));
    await Promise.all([agent.start(), resource.start()]);
    balancer = new LoadBalancer();
    const origin = await balancer.listen();
    // One after the other: the first writes the realm's key file, the second reads the same keys.
    for (let i = 0; i < 2; i++) {
      const store = await RedisStore.connect(redis.url);
      const server = createAuthServer({ realm: realmFor(agent, resource), origin, keyFile: join(dir, 'keys.json'), store, sharedCache: { store, secret: 'the realm instances share this 32+ byte secret' }, log: () => undefined });
      const { port } = await server.listen(0);
      servers.push({ server, port, store });
    }
  });
  afterAll(async () => {
    for (const { server, store } of servers) {
      await server.close();
      await store.close();
    }
    await Promise.all([balancer?.close(), agent.stop(), resource.stop()]);
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the agent\'s and the resource\'s documents fetched by instance 1 are reused by instance 2: no fetch at either party', async () => {
    const [first, second] = servers as [typeof servers[0], typeof servers[0]];
    const redeem = async (port: number): Promise<number> => {
      balancer.target = port;
      const issuer = `${servers[0]!.server.issuer}`;
      const rt = await resource.resourceToken({ aud: issuer, agent: agent.id, agentJkt: agent.delegateKey.thumbprint, scope: 'data:read' });
      return (await postJson(endpointUrls(issuer).token_endpoint, { key: agent.delegateKey, signatureKey: { scheme: 'jwt', jwt: await agent.agentToken() } }, { resource_token: rt })).status;
    };
    // A store whose memory just began refuses resource tokens issued in an earlier clock second
    // (`store_reset`): fresh ones until one is accepted.
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 202; attempt++) {
      status = await redeem(first.port);
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(202);
    const fetched = agent.served + resource.served;
    expect(fetched).toBeGreaterThan(0);
    expect(await redeem(second.port)).toBe(202);
    expect(agent.served + resource.served).toBe(fetched);
  });
});
