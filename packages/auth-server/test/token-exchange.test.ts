/**
 * RFC 8693 token exchange at `{issuer}/protocol/aauth/token-exchange`: delegation chains as nested
 * `act` claims (§4.1) and `may_act` limits (§4.4), with the actor authenticated by its request
 * signature. Real servers on loopback; subject tokens are minted with the realm's own key, as the
 * AAuth token endpoint would after the user's approval.
 */
import { createAuthToken, GuardedFetcher, KeyDiscovery, verifyDelegatedToken, type ActClaim, type ChainPolicyInput } from '@aauth-ts/core';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { Party } from '../../../conformance/support/parties.js';
import { signedRequest, type Signer } from '../../../conformance/support/signed-fetch.js';
import { decodeJwt } from '../../../conformance/support/world.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';

describe('RFC 8693 token exchange', () => {
  const backend = new Party({ port: 0, agent: true });
  const sca = new Party({ port: 0, agent: true, resource: true });
  const planner = new Party({ port: 0, agent: true, resource: true });
  const maa = new Party({ port: 0, resource: true });
  let server: AuthServer;
  let issuer: string;
  let tokenUrl: string;
  /** What the `chainPolicy` option was last asked, and the reason it refuses with when set. */
  let asked: ChainPolicyInput | undefined;
  let refuseWith: string | undefined;

  const signer = async (p: Party): Promise<Signer> => ({ key: p.delegateKey, signatureKey: { scheme: 'jwt', jwt: await p.agentToken() } });
  const exchange = async (actor: Party | undefined, params: Record<string, string>, unsigned = false) =>
    signedRequest('POST', tokenUrl, actor === undefined ? undefined : await signer(actor), new URLSearchParams(params).toString(), { contentType: 'application/x-www-form-urlencoded', unsigned });
  const form = (subject: string, audience: string | undefined, extra: Record<string, string> = {}): Record<string, string> => ({
    grant_type: GRANT, subject_token: subject, subject_token_type: JWT_TYPE, ...(audience === undefined ? {} : { audience }), ...extra,
  });
  /** The auth token the backend would hold after the user approved it at the AAuth token endpoint. */
  const userToken = (claims: { sub?: string; aud?: string; lifetimeSeconds?: number; now?: number; extra?: Record<string, unknown> } = {}) => createAuthToken(server.keys.active, {
    iss: issuer, aud: claims.aud ?? sca.id, agent: backend.id, cnfJwk: backend.delegateKey.publicJwk, sub: claims.sub ?? ALICE, scope: 'sca:optimize',
    lifetimeSeconds: claims.lifetimeSeconds ?? 300, ...(claims.now === undefined ? {} : { now: claims.now }), ...(claims.extra === undefined ? {} : { claims: claims.extra }),
  });

  beforeAll(async () => {
    await Promise.all([backend.start(), sca.start(), planner.start(), maa.start()]);
    server = createAuthServer({
      log: () => undefined,
      chainPolicy: (input) => {
        asked = input;
        return Promise.resolve(refuseWith === undefined ? { allow: true, reason: 'ok' } : { allow: false, reason: refuseWith });
      },
      realm: {
        realm: 'exchange',
        attributes: { 'aauth.allowLoopback': 'true' },
        users: [
          { id: ALICE, username: 'alice', credentials: [{ type: 'password', value: 'pw' }] },
          { id: BOB, username: 'bob', credentials: [{ type: 'password', value: 'pw' }], attributes: { 'aauth.mayAct': [JSON.stringify([planner.id])] } },
        ],
        clientScopes: [
          { name: 'sca:optimize', attributes: { 'aauth.resource': sca.id } },
          { name: 'planner:plan', attributes: { 'aauth.resource': planner.id } },
          { name: 'maa:analyze', attributes: { 'aauth.resource': maa.id } },
        ],
        clients: [
          { clientId: backend.id, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['sca:optimize'] },
          // aauth.chainScopes: what each may obtain for a user who reached it through another agent.
          { clientId: sca.id, attributes: { 'aauth.agent': 'true', 'aauth.resource': 'true', 'aauth.chainScopes': '["planner:plan", "maa:analyze"]' }, optionalClientScopes: ['planner:plan', 'maa:analyze'] },
          { clientId: planner.id, attributes: { 'aauth.agent': 'true', 'aauth.resource': 'true', 'aauth.chainScopes': '["maa:analyze"]' }, optionalClientScopes: ['maa:analyze'] },
          { clientId: maa.id, attributes: { 'aauth.resource': 'true' } },
        ],
      },
    });
    ({ issuer } = await server.listen(0));
    tokenUrl = `${issuer}/protocol/aauth/token-exchange`;
  });

  afterAll(async () => {
    await server.close();
    await Promise.all([backend.stop(), sca.stop(), planner.stop(), maa.stop()]);
  });

  it('issues a key-bound at+jwt whose act names the actor and nests the previous one', async () => {
    const res = await exchange(sca, form(await userToken(), planner.id));
    expect(res.status).toBe(200);
    expect(res.json).toEqual(expect.objectContaining({ issued_token_type: JWT_TYPE, token_type: 'N_A', scope: 'planner:plan', expires_in: expect.any(Number) }));
    const { header, payload } = decodeJwt(res.json.access_token as string);
    expect(header.typ).toBe('at+jwt');
    expect(payload).toEqual(expect.objectContaining({ iss: issuer, aud: planner.id, sub: ALICE, client_id: sca.id, scope: 'planner:plan', act: { sub: sca.id, act: { sub: backend.id } } }));
    expect((payload.cnf as { jwk: { x: string } }).jwk.x).toBe(sca.delegateKey.publicJwk.x);
    // A consumer verifies it with the realm's published keys, bound to the actor's key.
    const verified = await verifyDelegatedToken(res.json.access_token as string, {
      keys: new KeyDiscovery(new GuardedFetcher({ allowLoopback: true })), trustedIssuers: [issuer], audience: planner.id, cnfThumbprint: sca.delegateKey.thumbprint,
    });
    expect(verified.chain).toEqual([sca.id, backend.id]);
  });

  it('a second exchange nests the whole chain (three actors)', async () => {
    const first = await exchange(sca, form(await userToken(), planner.id));
    const second = await exchange(planner, form(first.json.access_token as string, maa.id));
    expect(second.status).toBe(200);
    const act = decodeJwt(second.json.access_token as string).payload.act as ActClaim;
    expect(act).toEqual({ sub: planner.id, act: { sub: sca.id, act: { sub: backend.id } } });
    expect(decodeJwt(second.json.access_token as string).payload.sub).toBe(ALICE);
  });

  it('the chainPolicy option is asked with the new chain after the realm default; its refusal is 403 access_denied with its reason', async () => {
    refuseWith = 'no chains to the planner today';
    try {
      const res = await exchange(sca, form(await userToken(), planner.id));
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ error: 'access_denied', error_description: 'no chains to the planner today' });
      expect(asked).toEqual({ agent: sca.id, user: { iss: issuer, sub: ALICE }, resource: planner.id, scope: ['planner:plan'], act: [sca.id, backend.id] });
    } finally {
      refuseWith = undefined;
    }
  });

  it('refuses an actor to whom the subject token was not issued', async () => {
    const res = await exchange(planner, form(await userToken(), maa.id));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
  });

  it('may_act on the subject token decides who may act', async () => {
    const denied = await exchange(sca, form(await userToken({ extra: { may_act: { sub: planner.id } } }), planner.id));
    expect(denied.status).toBe(400);
    expect(denied.json).toEqual(expect.objectContaining({ error: 'invalid_grant', error_description: expect.stringContaining('may_act') }));
    // may_act names the planner, so the planner may act although the token's audience is the SCA.
    const allowed = await exchange(planner, form(await userToken({ extra: { may_act: { sub: planner.id } } }), maa.id));
    expect(allowed.status).toBe(200);
    expect(decodeJwt(allowed.json.access_token as string).payload.act).toEqual({ sub: planner.id, act: { sub: backend.id } });
  });

  it("the user's aauth.mayAct attribute limits actors", async () => {
    const res = await exchange(sca, form(await userToken({ sub: BOB }), planner.id));
    expect(res.status).toBe(400);
    expect(res.json).toEqual(expect.objectContaining({ error: 'invalid_grant', error_description: expect.stringContaining('aauth.mayAct') }));
  });

  it('the delegated token never outlives the subject token', async () => {
    const res = await exchange(sca, form(await userToken({ lifetimeSeconds: 20 }), planner.id));
    expect(res.status).toBe(200);
    expect(res.json.expires_in).toBeLessThanOrEqual(20);
  });

  it.each([
    ['no audience', undefined, 'invalid_target'],
    ['an unknown audience', 'http://127.0.0.1:9/', 'invalid_target'],
  ])('refuses %s', async (_name, audience, code) => {
    const res = await exchange(sca, form(await userToken(), audience));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe(code);
  });

  it('refuses a scope the realm does not grant the actor at the target', async () => {
    const res = await exchange(sca, form(await userToken(), planner.id, { scope: 'sca:optimize' }));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_scope');
  });

  it('refuses an expired subject token', async () => {
    const res = await exchange(sca, form(await userToken({ now: Math.floor(Date.now() / 1000) - 1000, lifetimeSeconds: 60 }), planner.id));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
  });

  it('refuses an actor_token of another agent', async () => {
    const res = await exchange(sca, form(await userToken(), planner.id, { actor_token: await backend.agentToken(), actor_token_type: JWT_TYPE }));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
    const ok = await exchange(sca, form(await userToken(), planner.id, { actor_token: await sca.agentToken(), actor_token_type: JWT_TYPE }));
    expect(ok.status).toBe(200);
  });

  it('refuses other grant types, JSON bodies and unsigned requests with precise codes', async () => {
    const grant = await exchange(sca, { grant_type: 'client_credentials' });
    expect([grant.status, grant.json.error]).toEqual([400, 'unsupported_grant_type']);
    const json = await signedRequest('POST', tokenUrl, await signer(sca), JSON.stringify(form('x', planner.id)));
    expect([json.status, json.json.error]).toEqual([400, 'invalid_request']);
    const unsigned = await exchange(sca, form(await userToken(), planner.id), true);
    expect([unsigned.status, unsigned.json.error]).toEqual([401, 'invalid_signature']);
    const garbage = await exchange(sca, form('not.a.jwt', planner.id));
    expect([garbage.status, garbage.json.error]).toEqual([400, 'invalid_grant']);
  });

  it("is served only at the path both auth servers share, not at Keycloak's openid-connect/token", async () => {
    const url = `${issuer}/protocol/openid-connect/token`;
    const body = new URLSearchParams(form(await userToken(), planner.id)).toString();
    const res = await signedRequest('POST', url, await signer(sca), body, { contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(404);
  });
});
