/**
 * Several instances of one resource behind a load balancer share their replay cache in Redis
 * (2026-03 §Replay Protection): a captured POST accepted by one is refused by every other, and a
 * Redis outage refuses rather than accepts (fail closed), then service resumes.
 */
import { generateSigningKey, signRequest } from '@aauth-ts/core';
import { RedisServer, redisMissing } from '../../../scripts/redis-server.mjs';
import { send, startInstance, type Answer, type Instance } from './instances.js';

const missing = redisMissing();
if (missing !== undefined) console.warn(missing);
const suite = missing === undefined ? describe : describe.skip;

/** The public identifier both instances serve (the load balancer's). */
const RESOURCE = 'http://localhost:8080';
const agentKey = generateSigningKey();

/** A signed POST, as captured on the wire: sent as often as the test likes. */
function signedPost(note: string): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ note });
  const headers = { host: 'localhost:8080', 'content-type': 'application/json' };
  const signed = signRequest({ method: 'POST', url: `${RESOURCE}/notes`, headers, body }, { key: agentKey, signatureKey: { scheme: 'hwk' } });
  return { headers: { ...headers, ...signed }, body };
}

function post(instance: Instance, request: { headers: Record<string, string>; body: string }): Promise<Answer> {
  return send(instance.port, 'POST', '/notes', request.headers, request.body);
}

/**
 * Fresh POSTs until one is accepted: a store whose memory just began (a new or restarted Redis)
 * refuses requests signed in an earlier clock second, which may have been accepted before.
 */
async function untilAccepted(instance: Instance): Promise<number> {
  let status = 0;
  for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
    status = (await post(instance, signedPost(`probe ${attempt}`))).status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return status;
}

suite('resource instances sharing a Redis store', () => {
  let redis: RedisServer;
  let first: Instance;
  let second: Instance;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = { AAUTH_REDIS_URL: redis.url, RESOURCE };
    [first, second] = await Promise.all([startInstance('resource-instance.mjs', env), startInstance('resource-instance.mjs', env)]);
    await untilAccepted(first);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await redis?.stop();
  });

  it('a signed POST accepted by one instance is refused as a replay by the other', async () => {
    const captured = signedPost('once');
    expect((await post(first, captured)).status).toBe(200);
    const replay = await post(second, captured);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_signature');
    expect(replay.body.error_description).toMatch(/already been used/);
  });

  it('Redis down: a POST is refused with 503 temporarily_unavailable and Retry-After, and a warn line; back up: service resumes and nothing is accepted twice', async () => {
    const before = signedPost('before the outage');
    expect((await post(first, before)).status).toBe(200);

    await redis.kill();
    const during = signedPost('during the outage');
    const refused = await post(second, during);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body.error).toBe('temporarily_unavailable');
    expect(refused.body.error_description).toMatch(/cannot be reached/);
    expect(second.stderr()).toMatch(/WARN shared store unavailable/);

    // Restarted without its data: each instance resumes once reconnected.
    await redis.restart();
    for (const instance of [first, second]) expect(await untilAccepted(instance)).toBe(200);
    // Redis forgot `before`; signed before its memory began, it is still not accepted again,
    // on either instance, and neither is the request refused during the outage.
    for (const instance of [first, second]) {
      for (const old of [before, during]) {
        const again = await post(instance, old);
        expect([401, 503]).toContain(again.status);
      }
    }
  });
});
