/**
 * An external OpenID Connect provider as the realm's identity provider (auth-server contract,
 * "Foreign subjects"): configured with Keycloak's realm-file shapes, `identityProviders` (alias,
 * providerId `oidc`, `config.issuer`, `config.jwksUrl`) and the user's `federatedIdentities`; the
 * access token a user got by signing in there (authorization-code flow with PKCE) is accepted as a
 * token-exchange `subject_token` (RFC 8693). The provider is npm `@hellocoop/mockin` on loopback.
 * mockin releases only claims named by scopes from a fixed list, so its tokens cannot carry
 * `may_act`: who may act is then the token's audience (exchange rule 5), set through mockin's mock API.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GuardedFetcher, KeyDiscovery, verifyDelegatedToken } from '@aauth-ts/core';
import { createAuthServer, parseRealm, type AuthServer } from '@aauth-ts/auth-server';
import { Party } from '../../../conformance/support/parties.js';
import { signedRequest, type Signer } from '../../../conformance/support/signed-fetch.js';
import { startMockin, type Mockin } from '../../../interop/mockin.js';

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const ALICE = 'a11ce000-0000-4000-8000-0000000000f1';
/** mockin's default user. */
const MOCKIN_SUB = '00000000-0000-0000-0000-00000000';
const REDIRECT = 'http://127.0.0.1:9/callback';

describe('an external OIDC provider (identityProviders + federatedIdentities) as source of subject tokens', () => {
  const agent = new Party({ port: 0, agent: true });
  const other = new Party({ port: 0, agent: true });
  const resource = new Party({ port: 0, resource: true });
  let mockin: Mockin;
  let server: AuthServer;
  let issuer: string;

  const signer = async (p: Party): Promise<Signer> => ({ key: p.delegateKey, signatureKey: { scheme: 'jwt', jwt: await p.agentToken() } });
  const exchange = async (actor: Party, subjectToken: string, at = issuer) => signedRequest('POST', `${at}/protocol/aauth/token-exchange`, await signer(actor),
    new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, audience: resource.id }).toString(),
    { contentType: 'application/x-www-form-urlencoded' });

  /** mockin's mock API: how its next tokens look (`PUT /mock/token?...`, `PUT /mock/claims?...`). */
  const mock = async (what: 'token' | 'claims', query: Record<string, string>): Promise<void> => {
    const res = await fetch(`${mockin.origin}/mock/${what}?${new URLSearchParams(query).toString()}`, { method: 'PUT' });
    if (!res.ok) throw new Error(`mockin PUT /mock/${what} answered ${res.status}`);
  };
  /** The user signs in at mockin: authorization-code flow with PKCE (RFC 7636), the access token kept. */
  const signIn = async (): Promise<string> => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = new URL(`${mockin.origin}/authorize`);
    authorize.search = new URLSearchParams({ response_type: 'code', client_id: agent.id, redirect_uri: REDIRECT, scope: 'openid email', code_challenge: challenge, code_challenge_method: 'S256', nonce: randomBytes(8).toString('hex') }).toString();
    const redirect = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location') ?? REDIRECT).searchParams.get('code');
    if (code === null) throw new Error(`mockin /authorize gave no code: ${redirect.status} ${redirect.headers.get('location') ?? ''}`);
    const token = await fetch(`${mockin.origin}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: agent.id, redirect_uri: REDIRECT, code_verifier: verifier }).toString(),
    });
    const json = (await token.json()) as { access_token?: string };
    if (typeof json.access_token !== 'string') throw new Error(`mockin /oauth/token gave no access token: ${JSON.stringify(json)}`);
    return json.access_token;
  };
  const realm = (users: object[], attributes: Record<string, string> = {}) => ({
    realm: 'idp',
    attributes: { 'aauth.allowLoopback': 'true', ...attributes },
    identityProviders: [{ alias: 'mockin', providerId: 'oidc', enabled: true, config: { issuer: mockin.origin, jwksUrl: `${mockin.origin}/jwks`, useJwksUrl: 'true' } }],
    users,
    clientScopes: [{ name: 'res:read', attributes: { 'aauth.resource': resource.id } }],
    clients: [
      { clientId: agent.id, attributes: { 'aauth.agent': 'true', 'aauth.chainScopes': '["res:read"]' }, optionalClientScopes: ['res:read'] },
      { clientId: other.id, attributes: { 'aauth.agent': 'true', 'aauth.chainScopes': '["res:read"]' }, optionalClientScopes: ['res:read'] },
      { clientId: resource.id, attributes: { 'aauth.resource': 'true' } },
    ],
  });

  const users = [{ id: ALICE, username: 'alice', federatedIdentities: [{ identityProvider: 'mockin', userId: MOCKIN_SUB, userName: 'john.smith@example.com' }] }];

  beforeAll(async () => {
    await Promise.all([agent.start(), other.start(), resource.start()]);
    mockin = await startMockin();
    server = createAuthServer({ log: () => undefined, realm: realm(users) });
    ({ issuer } = await server.listen(0));
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    await mockin?.close();
    await Promise.all([agent.stop(), other.stop(), resource.stop()]);
  });

  beforeEach(async () => {
    await fetch(`${mockin.origin}/mock`, { method: 'DELETE' });
    await mock('token', { aud: agent.id });
  });

  it('accepts the provider\'s access token issued to the agent, naming the linked local user', async () => {
    const res = await exchange(agent, await signIn());
    expect(res.status).toBe(200);
    const keys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
    const claims = await verifyDelegatedToken(res.json.access_token as string, { keys, trustedIssuers: [issuer], audience: resource.id, cnfThumbprint: agent.delegateKey.thumbprint });
    expect(claims).toEqual(expect.objectContaining({ iss: issuer, sub: ALICE, scope: 'res:read', act: { sub: agent.id } }));
  });

  it('refuses the token to an agent it was not issued to (no may_act)', async () => {
    const res = await exchange(other, await signIn());
    expect([res.status, res.json.error]).toEqual([400, 'invalid_grant']);
    expect(res.json.error_description).toContain(`issued to ${agent.id}`);
  });

  it('refuses an expired provider token', async () => {
    await mock('token', { expired: 'true' });
    const res = await exchange(agent, await signIn());
    expect([res.status, res.json.error]).toEqual([400, 'invalid_grant']);
    expect(res.json.error_description).toContain('expired');
  });

  it('refuses a token signed with a key not in the provider\'s JWKS', async () => {
    await mock('token', { wrongKey: 'true' });
    const res = await exchange(agent, await signIn());
    expect([res.status, res.json.error]).toEqual([400, 'invalid_grant']);
    expect(res.json.error_description).toContain('signature');
  });

  it('refuses a provider subject linked to no local user', async () => {
    await mock('claims', { sub: 'someone-else' });
    const res = await exchange(agent, await signIn());
    expect([res.status, res.json.error]).toEqual([400, 'invalid_grant']);
    expect(res.json.error_description).toContain('not linked');
  });

  it('self-delegation: a provider token whose subject is the actor itself → 400 invalid_request', async () => {
    await mock('claims', { sub: agent.id });
    const res = await exchange(agent, await signIn());
    expect([res.status, res.json.error]).toEqual([400, 'invalid_request']);
    expect(res.json.error_description).toContain('actor itself');
  });

  describe('a one-actor chain (the provider token has no act) under the realm chain policy', () => {
    const extra: AuthServer[] = [];
    const serve = async (attributes: Record<string, string>): Promise<string> => {
      const s = createAuthServer({ log: () => undefined, realm: realm(users, attributes) });
      extra.push(s);
      return (await s.listen(0)).issuer;
    };
    afterAll(async () => {
      await Promise.all(extra.map((s) => s.close()));
    });

    it('aauth.maxChainDepth 1 grants it: act names the agent alone', async () => {
      const res = await exchange(agent, await signIn(), await serve({ 'aauth.maxChainDepth': '1' }));
      expect(res.status).toBe(200);
      const payload = JSON.parse(Buffer.from((res.json.access_token as string).split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
      expect(payload.act).toEqual({ sub: agent.id });
    });

    it('aauth.chainActors without the agent → 403 access_denied naming it', async () => {
      const res = await exchange(agent, await signIn(), await serve({ 'aauth.chainActors': JSON.stringify([other.id]) }));
      expect([res.status, res.json.error]).toEqual([403, 'access_denied']);
      expect(res.json.error_description).toContain(agent.id);
    });
  });

  it('refuses a token whose issuer is no identity provider of the realm', async () => {
    await mock('token', { iss: 'http://127.0.0.1:9/not-configured' });
    const res = await exchange(agent, await signIn());
    expect([res.status, res.json.error]).toEqual([400, 'invalid_grant']);
  });
});

describe('identityProviders and federatedIdentities in the realm file', () => {
  const base = (users: object[]) => ({
    realm: 'r',
    identityProviders: [{ alias: 'corp', providerId: 'oidc', config: { issuer: 'https://idp.example', jwksUrl: 'https://idp.example/jwks' } }],
    users,
  });

  it('links a federated identity to its user, as aauth.federatedSubject does', () => {
    const model = parseRealm(base([{ id: 'u1', username: 'u', federatedIdentities: [{ identityProvider: 'corp', userId: 's-1' }] }]));
    expect(model.federatedSubjects.get('https://idp.example s-1')?.id).toBe('u1');
    expect(model.identityProviders.get('https://idp.example')).toEqual(expect.objectContaining({ alias: 'corp', jwksUrl: 'https://idp.example/jwks' }));
  });

  it('accepts both links when they name the same user, and refuses a realm where they name two users', () => {
    const same = { id: 'u1', username: 'u', attributes: { 'aauth.federatedSubject': ['https://idp.example s-1'] }, federatedIdentities: [{ identityProvider: 'corp', userId: 's-1' }] };
    expect(parseRealm(base([same])).federatedSubjects.get('https://idp.example s-1')?.id).toBe('u1');
    expect(() => parseRealm(base([
      { id: 'u1', username: 'u', attributes: { 'aauth.federatedSubject': ['https://idp.example s-1'] } },
      { id: 'u2', username: 'v', federatedIdentities: [{ identityProvider: 'corp', userId: 's-1' }] },
    ]))).toThrow(/linked to two users/);
  });

  it('refuses a federated identity naming an undeclared provider, and a provider without issuer or jwksUrl', () => {
    expect(() => parseRealm(base([{ id: 'u1', username: 'u', federatedIdentities: [{ identityProvider: 'nope', userId: 's-1' }] }]))).toThrow(/identityProvider/);
    expect(() => parseRealm({ realm: 'r', identityProviders: [{ alias: 'x', providerId: 'oidc', config: { issuer: 'https://idp.example' } }] })).toThrow(/jwksUrl/);
  });
});
