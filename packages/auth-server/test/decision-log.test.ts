/**
 * The embedded auth server writes one structured line per token decision to the `logger` it is
 * given (a real pino logger writing to a captured stream): agent, resource, scope, user, outcome,
 * error code, duration. Identifiers only: no token, signature or key material ever reaches a line.
 */
import { pino } from 'pino';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { captureLog } from '../../../conformance/support/log-capture.js';
import { Party } from '../../../conformance/support/parties.js';
import { postJson, type Signer } from '../../../conformance/support/signed-fetch.js';
import { realmFor } from './helpers.js';

const { stream: sink, lines, raw } = captureLog();

let agent: Party;
let resource: Party;
let server: AuthServer;
let issuer: string;

beforeAll(async () => {
  agent = new Party({ port: 0, agent: true });
  resource = new Party({ port: 0, resource: true });
  await Promise.all([agent.start(), resource.start()]);
  const realm = realmFor(agent, resource) as { clients: { consentRequired?: boolean }[] };
  realm.clients[0]!.consentRequired = false;
  server = createAuthServer({ realm, log: () => undefined, logger: pino({ level: 'info' }, sink) });
  ({ issuer } = await server.listen(0));
});

afterAll(async () => {
  await server.close();
  await Promise.all([agent.stop(), resource.stop()]);
});

const decisions = (): Record<string, unknown>[] => lines.filter((l) => l.msg === 'aauth decision');

test('a granted token request logs one line with agent, resource, scope, outcome and duration', async () => {
  const signer: Signer = { key: agent.delegateKey, signatureKey: { scheme: 'jwt', jwt: await agent.agentToken() } };
  const rt = await resource.resourceToken({ aud: issuer, agent: agent.id, agentJkt: agent.delegateKey.thumbprint, scope: 'data:read' });
  const before = decisions().length;
  const res = await postJson(`${issuer}/protocol/aauth/token`, signer, { resource_token: rt });
  expect(res.status).toBe(200);
  const logged = decisions().slice(before);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ level: 30, component: 'auth-server', decision: 'token', outcome: 'granted', status: 200, agent: agent.id, resource: resource.id, scope: 'data:read' });
  expect(logged[0]!.error).toBeUndefined();
  expect(typeof logged[0]!.duration_ms).toBe('number');
  const text = raw.join('\n');
  for (const secret of [rt, String(res.json.auth_token), signer.signatureKey.scheme === 'jwt' ? signer.signatureKey.jwt : '']) expect(text).not.toContain(secret);
});

test('a refused token request logs the refusal with its error code, and no token or key', async () => {
  const jwt = await agent.agentToken();
  const signer: Signer = { key: agent.delegateKey, signatureKey: { scheme: 'jwt', jwt } };
  const rt = await resource.resourceToken({ aud: issuer, agent: agent.id, agentJkt: agent.delegateKey.thumbprint, scope: 'data:erase' });
  const before = decisions().length;
  const res = await postJson(`${issuer}/protocol/aauth/token`, signer, { resource_token: rt });
  expect(res.status).toBeGreaterThanOrEqual(400);
  const logged = decisions().slice(before);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ component: 'auth-server', decision: 'token', outcome: 'refused', status: res.status, error: res.json.error, agent: agent.id });
  const text = raw.join('\n');
  for (const secret of [rt, jwt, ...jwt.split('.'), ...rt.split('.')]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  const jwk = agent.delegateKey.publicJwk as { x?: string };
  if (jwk.x !== undefined) expect(text).not.toContain(jwk.x);
});

test('an unsigned token request is refused and logged without an agent', async () => {
  const before = decisions().length;
  const res = await fetch(`${issuer}/protocol/aauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resource_token":"x"}' });
  expect(res.status).toBe(401);
  const logged = decisions().slice(before);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ outcome: 'refused', status: 401, error: ((await res.json()) as { error: string }).error });
  expect(logged[0]!.agent).toBeUndefined();
});
