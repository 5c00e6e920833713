/**
 * Several embedded auth-server processes serve one Person Server realm (`aauth.personServer`)
 * behind a load balancer, sharing its state in Redis (`AAUTH_REDIS_URL`): missions, person-token
 * records, agent-person bindings, pending requests and their interaction codes, and the login
 * throttle (draft-hardt-oauth-aauth-protocol §Mission, §Person Token Endpoint, §Agent-Person
 * Binding, §Deferred Responses; auth-server contract "Several instances"). Whatever one instance
 * did, every other knows; a Redis outage refuses rather than answers from one instance's memory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attemptInteraction } from '../../../conformance/support/consent-driver.js';
import { AgentProvider, Intermediary, Resource, type Agent } from '../../../conformance/support/current/parties.js';
import { CURRENT, CURRENT_REALM_FILE, thumbprint } from '../../../conformance/support/current/world.js';
import { signedRequest, type JsonResponse, type Signer } from '../../../conformance/support/signed-fetch.js';
import { RedisServer, freePort, redisMissing } from '../../../scripts/redis-server.mjs';
import { LoadBalancer, startAuthServer, type Instance } from './instances.js';

const missing = redisMissing();
if (missing !== undefined) console.warn(missing);
const suite = missing === undefined ? describe : describe.skip;

interface Deferred { readonly location: string; readonly code: string }

suite('embedded Person Server instances sharing a Redis store', () => {
  let redis: RedisServer;
  let dir: string;
  let balancer: LoadBalancer;
  let issuer: string;
  let first: Instance;
  let second: Instance;
  const provider = new AgentProvider(0);
  const r1 = new Resource(0);
  /** A resource that calls r1 as its own agent (§Call Chaining). */
  const intermediary = new Intermediary(0);

  const at = (instance: Instance): void => { balancer.target = instance.port; };
  const endpoint = (path: string): string => `${issuer}/protocol/aauth/ps/${path}`;
  const signer = (agent: Agent): Signer => ({ key: agent.key.signing, signatureKey: { scheme: 'jwt', jwt: provider.agentToken(agent) } });
  const post = (instance: Instance, path: string, agent: Agent, body: Readonly<Record<string, unknown>>, as: Signer = signer(agent)): Promise<JsonResponse> => {
    at(instance);
    return signedRequest('POST', endpoint(path), as, JSON.stringify(body));
  };
  const poll = (instance: Instance, location: string, agent: Agent): Promise<JsonResponse> => {
    at(instance);
    return signedRequest('GET', location, signer(agent));
  };
  const deferred = (res: JsonResponse): Deferred => {
    if (res.status !== 202) throw new Error(`expected 202, got HTTP ${res.status}: ${JSON.stringify(res.json)}`);
    const code = /code="?([0-9A-Z]+)"?/.exec(res.headers.get('aauth-requirement') ?? '')?.[1];
    return { location: res.headers.get('location') as string, code: code as string };
  };
  /** The person opens the code at `opens` and decides at `decides`: the consent ticket crosses instances too. */
  const approve = async (pending: Deferred, opens: Instance, decides: Instance): Promise<void> => {
    at(opens);
    const result = await attemptInteraction(endpoint('interaction'), pending.code, CURRENT.person, 'approve', { beforeDecision: () => { at(decides); return Promise.resolve(); } });
    if (!result.decided) throw new Error(`the person could not decide: HTTP ${result.page.status}`);
  };
  /** A person token for a fresh agent at `resource` (default r1), asked, approved and polled at `instance`. */
  const personTokenAt = async (instance: Instance, agent: Agent, resource: Resource = r1): Promise<string> => {
    const pending = deferred(await post(instance, 'person', agent, { resource: resource.id }));
    await approve(pending, instance, instance);
    const answered = await poll(instance, pending.location, agent);
    if (answered.status !== 200) throw new Error(`person token: HTTP ${answered.status} ${JSON.stringify(answered.json)}`);
    return answered.json.person_token as string;
  };
  const resourceTokenFor = (agent: Agent, personToken: string, resource: Resource = r1, scope = 'r1:read'): string => {
    const p = JSON.parse(Buffer.from(personToken.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, string>;
    return resource.resourceToken({ aud: issuer, ps: p.iss as string, sub: p.sub as string, presentedJti: p.jti as string, agentJkt: thumbprint(agent.key.publicJwk), scope });
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    dir = mkdtempSync(join(tmpdir(), 'aauth-shared-ps-'));
    await Promise.all([provider.start(), r1.start(), intermediary.start()]);
    balancer = new LoadBalancer();
    const origin = await balancer.listen();
    // The conformance Person Server realm, with this suite's ephemeral agent provider and resource.
    const P = CURRENT.ports;
    const realm = readFileSync(CURRENT_REALM_FILE, 'utf8').replaceAll(`http://127.0.0.1:${P.provider}`, provider.id).replaceAll(`http://127.0.0.1:${P.r1}`, r1.id).replaceAll(`http://127.0.0.1:${P.intermediary}`, intermediary.id);
    const realmFile = join(dir, 'realm.json');
    writeFileSync(realmFile, realm);
    const args = ['--realm', realmFile, '--origin', origin, '--key-file', join(dir, 'keys.json')];
    const env = { AAUTH_REDIS_URL: redis.url };
    // One after the other: the first writes the key files, the second reads the same keys.
    first = await startAuthServer(await freePort(), args, env);
    second = await startAuthServer(await freePort(), args, env);
    issuer = `${origin}/realms/${(JSON.parse(realm) as { realm: string }).realm}`;
    // A store whose memory just began refuses resource tokens issued in an earlier clock second:
    // start once that second is over, so no case depends on how fast it runs.
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await Promise.all([balancer?.close(), provider.stop(), r1.stop(), intermediary.stop()]);
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a mission approved at one instance is used at the other: its person token is issued there at once, to the bound agent', async () => {
    const agent = provider.agent('mission');
    const proposal = deferred(await post(first, 'mission', agent, { description: 'Read the reports', resources: [r1.id] }));
    await approve(proposal, first, second);
    const approved = await poll(second, proposal.location, agent);
    expect(approved.status).toBe(200);
    const s256 = approved.json.s256 as string;
    const person = await post(first, 'person', agent, { resource: r1.id, mission_s256: s256 });
    expect(person.status).toBe(200);
    expect(typeof person.json.person_token).toBe('string');
    const update = await post(second, `mission/${s256}`, agent, { action: 'update', description: 'Also the summaries' });
    expect(update.status).toBe(200);
  });

  it('a person token issued at one instance is honoured by a resource token redeemed at the other', async () => {
    const agent = provider.agent('record');
    const personToken = await personTokenAt(first, agent);
    const redeemed = await post(second, 'token', agent, { resource_token: resourceTokenFor(agent, personToken) });
    expect(redeemed.status).toBe(200);
    expect(typeof redeemed.json.auth_token).toBe('string');
  });

  it('an agent bound to the person at one instance is that person\'s at the other: a later person token for the same resource is issued at once', async () => {
    const agent = provider.agent('binding');
    await personTokenAt(second, agent);
    const again = await post(first, 'person', agent, { resource: r1.id });
    expect(again.status).toBe(200);
  });

  it('an auth token issued at one instance is accepted as upstream_token at the other: the person is found through the shared index of directed subjects', async () => {
    const agent = provider.agent('chain');
    const personToken = await personTokenAt(first, agent, intermediary);
    const upstream = await post(first, 'token', agent, { resource_token: resourceTokenFor(agent, personToken, intermediary, 'im:read') });
    expect(upstream.status).toBe(200);
    const asIntermediary: Signer = { key: intermediary.agent.key.signing, signatureKey: { scheme: 'jwt', jwt: intermediary.agentToken() } };
    const chained = await post(second, 'person', intermediary.agent, { resource: r1.id, upstream_token: upstream.json.auth_token }, asIntermediary);
    expect(chained.status).toBe(200);
    expect(typeof chained.json.person_token).toBe('string');
  });

  it('a pending request made at one instance is approved and polled at the other, answered once, and gone (410) after', async () => {
    const agent = provider.agent('pending');
    const pending = deferred(await post(first, 'person', agent, { resource: r1.id }));
    await approve(pending, second, first);
    const [a, b] = await Promise.all([poll(second, pending.location, agent), poll(first, pending.location, agent)]);
    expect([a.status, b.status].sort()).toEqual([200, 410]);
    expect((await poll(second, pending.location, agent)).status).toBe(410);
  });

  it('failed passwords at one instance count at the other: the code locks after five, wherever they were tried', async () => {
    const agent = provider.agent('throttle');
    const pending = deferred(await post(first, 'person', agent, { resource: r1.id }));
    const attempt = async (instance: Instance): Promise<number> => {
      at(instance);
      const res = await fetch(endpoint('interaction'), {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ step: 'login', code: pending.code, username: 'nobody', password: 'wrong' }).toString(),
      });
      return res.status;
    };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await attempt(i % 2 === 0 ? first : second));
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('FLUSHALL: a resource token redeemed before the flush is still refused after it', async () => {
    const agent = provider.agent('flush');
    const rt = resourceTokenFor(agent, await personTokenAt(first, agent));
    expect((await post(first, 'token', agent, { resource_token: rt })).status).toBe(200);
    await redis.flushAll();
    const replay = await post(second, 'token', agent, { resource_token: rt });
    expect(replay.status).toBe(400);
  });

  it('Redis down: the Person Server answers 503 temporarily_unavailable with Retry-After and says so in its log', async () => {
    await redis.kill();
    const refused = await post(first, 'person', provider.agent('down'), { resource: r1.id });
    expect(refused.status).toBe(503);
    expect(refused.json.error).toBe('temporarily_unavailable');
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(first.stderr()).toMatch(/shared store unavailable/);
  });
});
