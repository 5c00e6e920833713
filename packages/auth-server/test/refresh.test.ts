/**
 * Refresh ends (auth-server contract, check 5): a refreshed token is used up, a user's
 * authorization is carried as `auth_time` and ends at `aauth.maxAuthAge`, and a token naming a
 * user who has since been disabled or removed from the realm is not refreshed. The tokens below
 * are minted with the realm's own key, as the token endpoint issued them before the realm changed.
 * With `aauth.earlyRefresh` = "false" only an expired token is refreshed (2026-03 §Token Refresh).
 */
import { createAuthToken } from '@aauth-ts/core';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { Party } from '../../../conformance/support/parties.js';
import { postJson, type JsonResponse, type Signer } from '../../../conformance/support/signed-fetch.js';
import { decodeJwt } from '../../../conformance/support/world.js';

const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const CAROL = 'ca201000-0000-4000-8000-000000000003';
const GONE = 'de1e7ed0-0000-4000-8000-000000000004';
const MAX_AUTH_AGE = 3600;

/** One agent and one resource on loopback, and an auth server whose realm has `attributes`, for the enclosing describe. */
function refreshRealm(attributes: Record<string, string>): {
  /** An auth token this server issued, as the token endpoint would have. */
  issued(claims: { sub?: string; authTime?: number; iat?: number; lifetime?: number }): Promise<string>;
  refresh(token: string): Promise<JsonResponse>;
} {
  const agent = new Party({ port: 0, agent: true });
  const resource = new Party({ port: 0, resource: true });
  let server: AuthServer | undefined;
  let issuer = '';
  const signer = async (): Promise<Signer> => ({ key: agent.delegateKey, signatureKey: { scheme: 'jwt', jwt: await agent.agentToken() } });

  beforeAll(async () => {
    await Promise.all([agent.start(), resource.start()]);
    server = createAuthServer({
      log: () => undefined,
      realm: {
        realm: 'refresh',
        attributes: { 'aauth.allowLoopback': 'true', ...attributes },
        users: [
          { id: ALICE, username: 'alice', credentials: [{ type: 'password', value: 'pw' }] },
          { id: CAROL, username: 'carol', enabled: false, credentials: [{ type: 'password', value: 'pw' }] },
        ],
        clientScopes: [{ name: 'res:read', attributes: { 'aauth.resource': resource.id } }],
        clients: [
          { clientId: agent.id, consentRequired: true, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['res:read'] },
          { clientId: resource.id, attributes: { 'aauth.resource': 'true' } },
        ],
      },
    });
    ({ issuer } = await server.listen(0, '127.0.0.1'));
  });

  afterAll(async () => {
    await server?.close();
    await Promise.all([agent.stop(), resource.stop()]);
  });

  return {
    issued: ({ sub, authTime, iat, lifetime }) => createAuthToken((server as AuthServer).keys.active, {
      iss: issuer, aud: resource.id, agent: agent.id, cnfJwk: agent.delegateKey.publicJwk, scope: 'res:read', lifetimeSeconds: lifetime ?? 300,
      ...(sub === undefined ? {} : { sub, claims: { auth_time: authTime ?? now() } }),
      ...(iat === undefined ? {} : { now: iat }),
    }),
    refresh: async (token) => postJson(`${issuer}/protocol/aauth/token`, await signer(), { auth_token: token }),
  };
}

const now = (): number => Math.floor(Date.now() / 1000);

describe('refresh ends', () => {
  const { issued: mint, refresh } = refreshRealm({ 'aauth.maxAuthAge': String(MAX_AUTH_AGE) });
  /** An auth token this server issued earlier for `sub`, authorized at `authTime`. */
  const issued = (sub: string, authTime = now()): Promise<string> => mint({ sub, authTime });

  it('a refresh keeps auth_time, and the old token cannot be refreshed a second time', async () => {
    const authTime = now() - 100;
    const old = await issued(ALICE, authTime);
    const first = await refresh(old);
    expect(first.status).toBe(200);
    expect(decodeJwt(first.json.auth_token as string).payload).toEqual(expect.objectContaining({ sub: ALICE, auth_time: authTime }));
    const again = await refresh(old);
    expect([again.status, again.json.error]).toEqual([400, 'invalid_auth_token']);
  });

  it('refresh after aauth.maxAuthAge → 400 invalid_auth_token', async () => {
    const res = await refresh(await issued(ALICE, now() - MAX_AUTH_AGE - 120));
    expect([res.status, res.json.error]).toEqual([400, 'invalid_auth_token']);
    expect(res.json.error_description).toContain('aauth.maxAuthAge');
  });

  it('refresh of a token naming a user disabled since → 403 access_denied', async () => {
    const res = await refresh(await issued(CAROL));
    expect([res.status, res.json.error]).toEqual([403, 'access_denied']);
  });

  it('refresh of a token naming a user no longer in the realm → 403 access_denied', async () => {
    const res = await refresh(await issued(GONE));
    expect([res.status, res.json.error]).toEqual([403, 'access_denied']);
  });
});

describe('early refresh off (aauth.earlyRefresh = "false"): only an expired token is refreshed, the draft\'s shape', () => {
  const { issued: mint, refresh } = refreshRealm({ 'aauth.earlyRefresh': 'false' });
  /** An auth token this server issued at `iat` living `lifetime` seconds (no user: the agent's own grant). */
  const issued = (iat: number, lifetime: number): Promise<string> => mint({ iat, lifetime });

  it('a token with more than the 60 s clock skew left → 400 invalid_auth_token', async () => {
    const live = await issued(now(), 300);
    const res = await refresh(live);
    expect([res.status, res.json.error]).toEqual([400, 'invalid_auth_token']);
    expect(res.json.error_description).toContain('aauth.earlyRefresh');
  });

  it('an expired token → 200', async () => {
    const res = await refresh(await issued(now() - 400, 300));
    expect(res.status).toBe(200);
  });

  it('a token within the 60 s clock skew of exp counts as expired (the agent\'s clock may run ahead) → 200', async () => {
    const res = await refresh(await issued(now() - 270, 300));
    expect(res.status).toBe(200);
  });
});
