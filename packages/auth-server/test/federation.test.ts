/**
 * Call chaining across two auth servers (2026-03 §Call Chaining, cross-domain; wire notes §6.4):
 * realm B lists realm A's issuer in `aauth.trustedIssuers`, fetches A's `aauth-issuer.json` and
 * JWKS over loopback, and accepts A's token as `upstream_token`.
 */
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { Party } from '../../../conformance/support/parties.js';
import { postJson, type Signer } from '../../../conformance/support/signed-fetch.js';
import { decodeJwt } from '../../../conformance/support/world.js';

describe('call chaining across auth servers', () => {
  const agent = new Party({ port: 0, agent: true });
  const intermediary = new Party({ port: 0, agent: true, resource: true });
  const downstream = new Party({ port: 0, resource: true });
  let a: AuthServer;
  let b: AuthServer;
  let issuerA: string;
  let issuerB: string;

  const signer = async (p: Party): Promise<Signer> => ({ key: p.delegateKey, signatureKey: { scheme: 'jwt', jwt: await p.agentToken() } });

  beforeAll(async () => {
    await Promise.all([agent.start(), intermediary.start(), downstream.start()]);
    a = createAuthServer({
      log: () => undefined,
      realm: {
        realm: 'a',
        attributes: { 'aauth.allowLoopback': 'true' },
        clientScopes: [{ name: 'mid:use', attributes: { 'aauth.resource': intermediary.id } }],
        clients: [
          { clientId: agent.id, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['mid:use'] },
          { clientId: intermediary.id, attributes: { 'aauth.resource': 'true' } },
        ],
      },
    });
    ({ issuer: issuerA } = await a.listen(0));
    const realmB = (trusted: string[]) => ({
      realm: 'b',
      attributes: { 'aauth.allowLoopback': 'true', 'aauth.trustedIssuers': JSON.stringify(trusted) },
      clientScopes: [{ name: 'down:read', attributes: { 'aauth.resource': downstream.id } }],
      clients: [
        { clientId: intermediary.id, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['down:read'] },
        { clientId: downstream.id, attributes: { 'aauth.resource': 'true' } },
      ],
    });
    b = createAuthServer({ log: () => undefined, realm: realmB([issuerA]) });
    ({ issuer: issuerB } = await b.listen(0));
  });

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await Promise.all([agent.stop(), intermediary.stop(), downstream.stop()]);
  });

  it('B accepts an upstream token from trusted A and names the intermediary as agent', async () => {
    const rt1 = await intermediary.resourceToken({ aud: issuerA, agent: agent.id, agentJkt: agent.delegateKey.thumbprint, scope: 'mid:use' });
    const first = await postJson(`${issuerA}/protocol/aauth/token`, await signer(agent), { resource_token: rt1 });
    expect(first.status).toBe(200);
    const rt2 = await downstream.resourceToken({ aud: issuerB, agent: intermediary.id, agentJkt: intermediary.delegateKey.thumbprint, scope: 'down:read' });
    const second = await postJson(`${issuerB}/protocol/aauth/token`, await signer(intermediary), { resource_token: rt2, upstream_token: first.json.auth_token });
    expect(second.status).toBe(200);
    expect(decodeJwt(second.json.auth_token as string).payload).toEqual(expect.objectContaining({ iss: issuerB, aud: downstream.id, agent: intermediary.id, scope: 'down:read' }));
  });

  it('an agent that is not a client of realm B cannot chain there, even with a genuine token of A', async () => {
    const rt1 = await intermediary.resourceToken({ aud: issuerA, agent: agent.id, agentJkt: agent.delegateKey.thumbprint, scope: 'mid:use' });
    const first = await postJson(`${issuerA}/protocol/aauth/token`, await signer(agent), { resource_token: rt1 });
    const rt2 = await downstream.resourceToken({ aud: issuerB, agent: agent.id, agentJkt: agent.delegateKey.thumbprint, scope: 'down:read' });
    const res = await postJson(`${issuerB}/protocol/aauth/token`, await signer(agent), { resource_token: rt2, upstream_token: first.json.auth_token });
    expect(res.status).toBe(403);
    expect(res.json.error).toBe('access_denied');
  });
});
