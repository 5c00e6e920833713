/**
 * Several embedded auth-server processes serve one realm behind a load balancer, sharing used
 * `jti`s and pending requests in Redis (`AAUTH_REDIS_URL`): a resource token is redeemed once
 * across all of them (2026-03 §Resource Tokens), a pending request made on one is decided and
 * polled on another (§Deferred Responses), and a Redis outage refuses rather than accepts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endpointUrls } from '@aauth-ts/auth-server';
import { driveInteraction } from '../../../conformance/support/consent-driver.js';
import { Party } from '../../../conformance/support/parties.js';
import { postJson, signedRequest, type JsonResponse, type Signer } from '../../../conformance/support/signed-fetch.js';
import { USER, realmFor } from '../../auth-server/test/helpers.js';
import { RedisServer, freePort, redisMissing } from '../../../scripts/redis-server.mjs';
import { LoadBalancer, startAuthServer, type Instance } from './instances.js';

const missing = redisMissing();
if (missing !== undefined) console.warn(missing);
const suite = missing === undefined ? describe : describe.skip;

/** The realm's longest held poll, seconds: longer than the held-poll case may take. */
const MAX_POLL_WAIT = 30;

suite('embedded auth-server instances sharing a Redis store', () => {
  let redis: RedisServer;
  let dir: string;
  let balancer: LoadBalancer;
  let issuer: string;
  let first: Instance;
  let second: Instance;
  const agent = new Party({ port: 0, agent: true });
  const resource = new Party({ port: 0, resource: true });

  const urls = (): ReturnType<typeof endpointUrls> => endpointUrls(issuer);
  const signer = async (): Promise<Signer> => ({ key: agent.delegateKey, signatureKey: { scheme: 'jwt', jwt: await agent.agentToken() } });
  const resourceToken = (): Promise<string> => resource.resourceToken({ aud: issuer, agent: agent.id, agentJkt: agent.delegateKey.thumbprint, scope: 'data:read' });
  /** A token request for `rt`, through the balancer to `instance`. */
  const redeem = async (instance: Instance, rt: string): Promise<JsonResponse> => {
    balancer.target = instance.port;
    return postJson(urls().token_endpoint, await signer(), { resource_token: rt });
  };
  /**
   * Fresh resource tokens at `instance` until one is accepted: a store whose memory just began (a
   * new or restarted Redis) refuses tokens issued in an earlier clock second (`iat` has one-second
   * resolution), which may have been redeemed before.
   */
  const untilRedeemed = async (instance: Instance): Promise<number> => {
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 202; attempt++) {
      status = (await redeem(instance, await resourceToken())).status;
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return status;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    dir = mkdtempSync(join(tmpdir(), 'aauth-shared-as-'));
    await Promise.all([agent.start(), resource.start()]);
    balancer = new LoadBalancer();
    const origin = await balancer.listen();
    const realmFile = join(dir, 'realm.json');
    writeFileSync(realmFile, JSON.stringify(realmFor(agent, resource, { attributes: { 'aauth.maxPollWait': String(MAX_POLL_WAIT) } })));
    const args = ['--realm', realmFile, '--origin', origin, '--key-file', join(dir, 'keys.json')];
    const env = { AAUTH_REDIS_URL: redis.url };
    // One after the other: the first writes the realm's key file, the second reads the same keys.
    first = await startAuthServer(await freePort(), args, env);
    second = await startAuthServer(await freePort(), args, env);
    issuer = `${origin}/realms/unit`;
    expect(await untilRedeemed(first)).toBe(202);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await Promise.all([balancer?.close(), agent.stop(), resource.stop()]);
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a resource token redeemed at one instance is refused at the other', async () => {
    const rt = await resourceToken();
    expect((await redeem(first, rt)).status).toBe(202);
    const again = await redeem(second, rt);
    expect(again.status).toBe(400);
    expect(again.json.error).toBe('invalid_resource_token');
    expect(again.json.error_description).toMatch(/already been used/);
  });

  it('a pending request made at one instance is approved and polled at the other, and its token is issued once', async () => {
    const pending = await redeem(first, await resourceToken());
    expect(pending.status).toBe(202);
    const location = pending.headers.get('location') as string;
    balancer.target = second.port;
    await driveInteraction('embedded', urls().interaction_endpoint, String(pending.json.code), USER, 'approve');
    const poll = await signer();
    const approved = await signedRequest('GET', location, poll);
    expect(approved.status).toBe(200);
    expect(typeof approved.json.auth_token).toBe('string');
    balancer.target = first.port;
    const after = await signedRequest('GET', location, poll);
    expect(after.status).toBe(404);
  });

  // Liveness, not timing: held for the realm's whole MAX_POLL_WAIT, the poll would outlast the
  // case's budget; it must be released by the approval made at the other instance.
  it('a poll held at one instance (Prefer: wait) is answered when the user approves at the other', async () => {
    const pending = await redeem(first, await resourceToken());
    expect(pending.status).toBe(202);
    const location = new URL(pending.headers.get('location') as string);
    const poll = await signer();
    // Straight to the first instance's port, signed for the balancer's authority.
    const held = signedRequest('GET', `http://127.0.0.1:${first.port}${location.pathname}`, poll, undefined, {
      forgedHost: location.host, replaceHeaders: () => ({ prefer: `wait=${MAX_POLL_WAIT}` }),
    });
    balancer.target = second.port;
    await driveInteraction('embedded', urls().interaction_endpoint, String(pending.json.code), USER, 'approve');
    const answered = await held;
    expect(answered.status).toBe(200);
    expect(typeof answered.json.auth_token).toBe('string');
  }, (MAX_POLL_WAIT * 1000) / 2);

  it('FLUSHALL without a restart: a resource token redeemed before the flush is refused at every instance', async () => {
    const before = await resourceToken();
    expect((await redeem(first, before)).status).toBe(202);
    await redis.flushAll();
    for (const instance of [second, first]) {
      const again = await redeem(instance, before);
      expect({ status: again.status, error: again.json.error }).toEqual({ status: 400, error: 'invalid_resource_token' });
    }
    // Service goes on: a token issued once the new memory's first second is over is redeemed.
    for (const instance of [first, second]) expect(await untilRedeemed(instance)).toBe(202);
  });

  it('Redis down: a token request is refused with 503 temporarily_unavailable and Retry-After; back up: service resumes and no resource token is redeemed twice', async () => {
    const before = await resourceToken();
    expect((await redeem(first, before)).status).toBe(202);

    await redis.kill();
    const during = await resourceToken();
    const refused = await redeem(second, during);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(refused.json.error).toBe('temporarily_unavailable');
    expect(second.stderr()).toMatch(/shared store unavailable/);

    await redis.restart();
    // Each instance resumes once reconnected (tokens issued in the second Redis came back are
    // refused: their second can straddle the restart).
    for (const instance of [first, second]) expect(await untilRedeemed(instance)).toBe(202);
    // Redis forgot `before`; issued before its memory began, it is still refused everywhere.
    for (const instance of [first, second]) {
      const again = await redeem(instance, before);
      expect({ status: again.status, error: again.json.error }).toEqual({ status: 400, error: 'invalid_resource_token' });
    }
  });
});
