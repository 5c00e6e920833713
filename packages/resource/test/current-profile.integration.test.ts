/**
 * The resource in the current profile (draft-hardt-oauth-aauth-protocol; interop demo profile
 * surfaces 2, 3 and 4, resource side) against real loopback parties: a Person Server, an access
 * server and an agent provider (current-fixtures.ts), real signed requests, no mocked HTTP. Each
 * test is named for the rule it holds the resource to; the attack cases say what is refused.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express from 'express';
import {
  AAUTH_CURRENT, AAUTH_2026_03, GuardedFetcher, KeyDiscovery, confirmationJwk, generateSigningKey, jwkThumbprint, parseChallenge, parseRequirement, parseTokenList, peekClaims, verifyAaResourceToken, verifyResourceToken,
  type SigningKey,
} from '@aauth-ts/core';
import { aauth, aauthErrorHandler, captureRawBody, type AAuthRequest, type ResourceOptions } from '@aauth-ts/resource';
import { listen, plainFetch, signedFetch, startAgentServer, startAuthServer, type Answer, type AgentServer, type AuthServer, type Running } from './fixtures.js';
import { currentDiscovery, startAccessServer, startAgentProvider, startPersonServer, type AccessServer, type AgentProvider, type PersonServer } from './current-fixtures.js';

const H = AAUTH_CURRENT.headers;
const MISSION = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

let ps: PersonServer;
let untrustedPs: PersonServer;
let accessServer: AccessServer;
let provider: AgentProvider;
let legacyAs: AuthServer;
let legacyAgents: AgentServer;
let resource: Running;
let fourParty: Running;
let legacyOnly: Running;
let both: Running;
let agentKey: SigningKey;
let otherKey: SigningKey;
let agentToken: string;
const errors: unknown[] = [];

/** A resource app with the routes every test uses, under `options`. */
function app(url: string, options: Partial<ResourceOptions>): express.Express {
  const a = express();
  a.use(express.json({ verify: captureRawBody }));
  const guard = aauth({
    resource: url, signingKey: generateSigningKey(), development: true, scopeDescriptions: { 'data.read': 'Read your data', 'data.write': 'Change your data' },
    clientName: 'Test resource', ...options,
  } as ResourceOptions);
  a.use(guard);
  const show = (req: express.Request, res: express.Response): void => {
    const { claims: _claims, jwk: _jwk, ...rest } = (req as AAuthRequest).aauth;
    res.json(rest);
  };
  a.get('/identity', guard.requireIdentity(), show);
  a.get('/person', guard.requirePerson(), show);
  a.get('/data', guard.requireAuth({ scope: 'data.read' }), show);
  a.post('/data', guard.requireAuth({ scope: 'data.read' }), show);
  a.get('/write', guard.requireAuth({ scope: ['data.read', 'data.write'] }), show);
  a.get('/strict', guard.requireAuth({ scope: 'data.write', stepUp: false }), show);
  a.get('/job', guard.requirePerson(), (_req, res) => {
    const deferral = res.aauthDefer({ interaction: true });
    setImmediate(() => deferral.complete({ body: { done: true } }));
  });
  a.use(aauthErrorHandler({ log: (err) => errors.push(err) }));
  return a;
}

beforeAll(async () => {
  [ps, untrustedPs, accessServer, provider, legacyAs, legacyAgents] = await Promise.all([
    startPersonServer('ps'), startPersonServer('rogue'), startAccessServer(), startAgentProvider(), startAuthServer('legacy'), startAgentServer(),
  ]);
  agentKey = generateSigningKey();
  otherKey = generateSigningKey();
  agentToken = await provider.agentToken(agentKey, ps.issuer);
  const current = {
    profile: 'aauth-current', trustedPersonServers: [ps.issuer], accessMode: 'auth-token', interactionEndpoint: 'https://resource.example/interact', resourceTokenEndpoint: '/authorize',
  } as const;
  [resource, fourParty, legacyOnly, both] = await Promise.all([
    listen((url) => app(url, current)),
    listen((url) => app(url, { ...current, authServer: accessServer.issuer })),
    listen((url) => app(url, { authServer: legacyAs.issuer })),
    listen((url) => app(url, { profile: ['aauth-2026-03', 'aauth-current'], authServer: legacyAs.issuer, trustedPersonServers: [ps.issuer] })),
  ]);
});

afterAll(async () => {
  await Promise.all([resource, fourParty, legacyOnly, both, ps, untrustedPs, accessServer, provider, legacyAs, legacyAgents].map((r) => r.close()));
});

afterEach(() => {
  expect(errors).toEqual([]);
});

const withJwt = (jwt: string, key: SigningKey = agentKey) => ({ key, signatureKey: { scheme: 'jwt' as const, jwt } });
const requirementOf = (answer: Answer) => parseRequirement(answer.headers.get(H.requirement) ?? '');
const personToken = (overrides: Partial<Parameters<PersonServer['personToken']>[0]> = {}, server: PersonServer = ps, aud: string = resource.url) =>
  server.personToken({ aud, sub: 'person-1', cnfJwk: agentKey.publicJwk, ...overrides });
const authToken = (overrides: Partial<Parameters<PersonServer['authToken']>[0]> = {}, aud: string = resource.url) =>
  ps.authToken({ aud, sub: 'person-1', cnfJwk: agentKey.publicJwk, scope: 'data.read', ...overrides });

/** The resource token of a `requirement=auth-token` answer, verified through its issuer's `dwk` as the PS would. */
async function resourceTokenOf(answer: Answer, audience: string = ps.issuer) {
  const requirement = requirementOf(answer);
  if (requirement.requirement !== 'auth-token') throw new Error(`expected requirement=auth-token, got ${requirement.requirement}`);
  const claims = await verifyAaResourceToken(requirement.resourceToken, { keys: currentDiscovery(), audience, identifiers: { allowLoopbackHttp: true, exact: [ps.issuer] } });
  return { token: requirement.resourceToken, claims };
}

describe('surface 3: resource metadata and resource tokens', () => {
  test('aauth-resource.json is in the current shape: issuer equals the origin it is fetched from, jwks_uri, the §Resource Metadata members', async () => {
    const doc = await currentDiscovery().currentMetadata(resource.url, AAUTH_CURRENT.wellKnown.resource);
    expect(doc).toMatchObject({
      issuer: resource.url, jwks_uri: `${resource.url}/.well-known/jwks.json`, name: 'Test resource', access_mode: 'auth-token',
      scope_descriptions: { 'data.read': 'Read your data', 'data.write': 'Change your data' }, signature_window: 60,
      authorization_endpoint: `${resource.url}/authorize`,
    });
    expect(doc.additional_signature_components).toEqual(expect.arrayContaining(['content-type', 'content-digest']));
    // The 2026-03 identity member belongs to that profile only.
    expect(doc).not.toHaveProperty('resource');
  });

  test('a person token on a scoped route is answered requirement=auth-token with a resource token: iss = this resource, ps/sub/mission_s256 copied, presented_jti = the person token jti, agent_jkt = the request key, no agent', async () => {
    const person = await personToken({ missionS256: MISSION, tenant: 'acme' });
    const answer = await signedFetch(resource.url, 'GET', '/data', withJwt(person));
    expect(answer.status).toBe(401);
    expect(answer.headers.get(H.signatureError)).toBeNull();
    const { claims } = await resourceTokenOf(answer);
    const jti = peekClaims(person, 'invalid_person_token').jti;
    expect(claims).toMatchObject({
      iss: resource.url, aud: ps.issuer, ps: ps.issuer, sub: 'person-1', mission_s256: MISSION, tenant: 'acme', presented_jti: jti,
      agent_jkt: jwkThumbprint(agentKey.publicJwk), scope: 'data.read', dwk: AAUTH_CURRENT.wellKnown.resource,
    });
    expect(claims).not.toHaveProperty('agent');
  });

  test('the authorization endpoint takes a person token and {scope}, and answers {resource_token}; an agent token gets requirement=person-token', async () => {
    const person = await personToken();
    const ok = await signedFetch(resource.url, 'POST', '/authorize', { ...withJwt(person), body: JSON.stringify({ scope: 'data.read data.write' }) });
    expect(ok.status).toBe(200);
    const claims = await verifyAaResourceToken(ok.json.resource_token as string, { keys: currentDiscovery(), audience: ps.issuer, identifiers: { allowLoopbackHttp: true, exact: [ps.issuer] } });
    expect(claims).toMatchObject({ iss: resource.url, presented_jti: peekClaims(person, 'invalid_person_token').jti, scope: 'data.read data.write' });
    const unknown = await signedFetch(resource.url, 'POST', '/authorize', { ...withJwt(person), body: JSON.stringify({ scope: 'data.nuke' }) });
    expect(unknown).toMatchObject({ status: 400, json: { error: 'invalid_scope' } });
    const agent = await signedFetch(resource.url, 'POST', '/authorize', { ...withJwt(agentToken), body: JSON.stringify({ scope: 'data.read' }) });
    expect(agent.status).toBe(401);
    expect(requirementOf(agent)).toEqual({ requirement: 'person-token' });
  });

  test('four-party: a resource with its own access server addresses the resource token to it', async () => {
    const answer = await signedFetch(fourParty.url, 'GET', '/data', withJwt(await personToken({}, ps, fourParty.url)));
    const { claims } = await resourceTokenOf(answer, accessServer.issuer);
    expect(claims).toMatchObject({ iss: fourParty.url, aud: accessServer.issuer, ps: ps.issuer });
  });
});

describe('requirement responses', () => {
  test('no resource token before a verified person token: an agent token on a scoped route gets requirement=person-token', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/data', withJwt(agentToken));
    expect(answer.status).toBe(401);
    expect(requirementOf(answer)).toEqual({ requirement: 'person-token' });
    expect(answer.headers.get('content-type')).toContain(AAUTH_CURRENT.problemContentType);
  });

  test('an unsigned request to a scoped route gets requirement=person-token', async () => {
    const answer = await plainFetch(resource.url, 'GET', '/data');
    expect(answer.status).toBe(401);
    expect(requirementOf(answer)).toEqual({ requirement: 'person-token' });
  });

  test('agent identity access: unsigned and person-token requests get requirement=agent-token; the agent token is served with agent = its sub', async () => {
    expect(requirementOf(await plainFetch(resource.url, 'GET', '/identity'))).toEqual({ requirement: 'agent-token' });
    expect(requirementOf(await signedFetch(resource.url, 'GET', '/identity', withJwt(await personToken())))).toEqual({ requirement: 'agent-token' });
    const ok = await signedFetch(resource.url, 'GET', '/identity', withJwt(agentToken));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ profile: 'aauth-current', scheme: 'jwt', tokenType: 'agent', agent: provider.agentId, issuer: provider.issuer });
  });

  test('person identity access: an agent token gets requirement=person-token; a person token is served with ps, sub and the mission', async () => {
    expect(requirementOf(await signedFetch(resource.url, 'GET', '/person', withJwt(agentToken)))).toEqual({ requirement: 'person-token' });
    const ok = await signedFetch(resource.url, 'GET', '/person', withJwt(await personToken({ missionS256: MISSION })));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ profile: 'aauth-current', tokenType: 'person', ps: ps.issuer, sub: 'person-1', missionS256: MISSION, scopes: [] });
    expect(ok.json).not.toHaveProperty('agent');
  });

  test('errors are RFC 9457 problem+json, and a signature failure carries Signature-Error', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/person', { ...withJwt(await personToken()), override: { signature: 'sig=:AAAA:' } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toContain(AAUTH_CURRENT.problemContentType);
    expect(answer.headers.get(H.signatureError)).toBe('error=invalid_signature');
    expect(answer.json).toMatchObject({ error: 'invalid_signature', detail: expect.any(String) });
  });

  test('a deferral of the resource\'s own is 202 with requirement=interaction, url and a Crockford code; the poll by the same key gets the result', async () => {
    const person = await personToken();
    const pending = await signedFetch(resource.url, 'GET', '/job', withJwt(person));
    expect(pending.status).toBe(202);
    const requirement = requirementOf(pending);
    expect(requirement).toMatchObject({ requirement: 'interaction', url: 'https://resource.example/interact', code: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/) });
    expect(pending.json).toMatchObject({ status: 'pending' });
    const location = new URL(pending.headers.get('location') ?? '');
    const other = await signedFetch(resource.url, 'GET', location.pathname, withJwt(await personToken({ cnfJwk: otherKey.publicJwk }), otherKey));
    expect(other.status).toBe(403);
    const done = await signedFetch(resource.url, 'GET', location.pathname, withJwt(person));
    expect(done).toMatchObject({ status: 200, json: { done: true } });
  });
});

describe('surface 2: person tokens', () => {
  test('attack: a person token for another resource (wrong aud) is refused with invalid_person_token', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/person', withJwt(await personToken({ aud: fourParty.url })));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'invalid_person_token' });
    expect(answer.headers.get(H.signatureError)).toBe('error=invalid_jwt');
  });

  test('attack: a person token bound (cnf) to another key does not verify a request signed by this key', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/person', withJwt(await personToken({ cnfJwk: otherKey.publicJwk })));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'invalid_signature' });
  });

  test('attack: a person token of an untrusted Person Server is refused before its metadata is fetched', async () => {
    const before = untrustedPs.metadataFetches();
    const answer = await signedFetch(resource.url, 'GET', '/person', withJwt(await personToken({}, untrustedPs)));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'invalid_person_token', detail: expect.stringContaining('not trusted') });
    expect(untrustedPs.metadataFetches()).toBe(before);
  });

  test('an expired person token is refused with Signature-Error expired_jwt', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/person', withJwt(await personToken({ now: Math.floor(Date.now() / 1000) - 7200, lifetimeSeconds: 600 })));
    expect(answer.status).toBe(401);
    expect(answer.headers.get(H.signatureError)).toBe('error=expired_jwt');
  });

  test('a signed POST with a person token is single-use: the replay is refused', async () => {
    const person = await personToken();
    const body = '{"x":1}';
    const created = Math.floor(Date.now() / 1000);
    const first = await signedFetch(resource.url, 'POST', '/person', { ...withJwt(person), body, created });
    // The route is GET-only; what matters is that verification passed, then refused the same request again.
    expect(first.status).toBe(404);
    const again = await signedFetch(resource.url, 'POST', '/person', { ...withJwt(person), body, created });
    expect(again.status).toBe(401);
    expect(again.json).toMatchObject({ error: 'invalid_signature', detail: expect.stringContaining('replayed') });
  });
});

describe('the signing key a token carries (§Verification (Server) step 6, §Signature Algorithms)', () => {
  // The shared list (core's data file, which the Keycloak provider reads too), read here as data.
  const acceptedAlgs = () => (JSON.parse(readFileSync(fileURLToPath(new URL('../../core/data/accept-signature-algs.json', import.meta.url)), 'utf8')) as { algorithms: string[] }).algorithms;

  test('a cnf.jwk without "alg" is refused 401 with Signature-Error unsupported_algorithm and Accept-Signature-Alg, the accepted list', async () => {
    const { alg: _alg, kid: _kid, ...withoutAlg } = agentKey.publicJwk;
    const answer = await signedFetch(resource.url, 'GET', '/identity', withJwt(provider.agentTokenWithCnf(withoutAlg)));
    expect(answer.status).toBe(401);
    expect(answer.headers.get(H.signatureError)).toBe('error=unsupported_algorithm');
    expect(parseTokenList(answer.headers.get(H.acceptSignatureAlg) ?? '')).toEqual(acceptedAlgs());
  });

  test('a cnf.jwk with the polymorphic "alg" EdDSA is refused 401 with Signature-Error unsupported_algorithm and Accept-Signature-Alg', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/identity', withJwt(provider.agentTokenWithCnf({ ...agentKey.publicJwk, alg: 'EdDSA' })));
    expect(answer.status).toBe(401);
    expect(answer.headers.get(H.signatureError)).toBe('error=unsupported_algorithm');
    expect(parseTokenList(answer.headers.get(H.acceptSignatureAlg) ?? '')).toEqual(acceptedAlgs());
  });

  test('a cnf.jwk whose "alg" disagrees with its kty/crv (ES256 on an Ed25519 key) is refused 401 with Signature-Error invalid_key', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/identity', withJwt(provider.agentTokenWithCnf({ ...agentKey.publicJwk, alg: 'ES256' })));
    expect(answer.status).toBe(401);
    expect(answer.headers.get(H.signatureError)).toBe('error=invalid_key');
    expect(answer.headers.get(H.acceptSignatureAlg)).toBeNull();
  });

  test('a cnf.jwk with its fully specified "alg" (Ed25519) is served', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/identity', withJwt(provider.agentTokenWithCnf(confirmationJwk(agentKey.publicJwk))));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ profile: 'aauth-current', tokenType: 'agent', agent: provider.agentId });
  });
});

describe('surface 4: auth tokens', () => {
  test('three-party end to end: person token → resource token → the PS token endpoint → auth token, served with profile, ps, sub, mission and scopes', async () => {
    const challenge = await signedFetch(resource.url, 'GET', '/data', withJwt(await personToken({ missionS256: MISSION })));
    const { token } = await resourceTokenOf(challenge);
    const granted = await signedFetch(ps.url, 'POST', '/realms/ps/protocol/aauth/ps/token', { ...withJwt(agentToken), body: JSON.stringify({ resource_token: token }) });
    expect(granted.status).toBe(200);
    const ok = await signedFetch(resource.url, 'GET', '/data', withJwt(granted.json.auth_token as string));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ profile: 'aauth-current', tokenType: 'auth', issuer: ps.issuer, ps: ps.issuer, sub: 'person-1', missionS256: MISSION, scopes: ['data.read'] });
  });

  test('attack: a resource token replayed by another key is refused by the PS (agent_jkt), and a resource token is no signing credential at the resource', async () => {
    const challenge = await signedFetch(resource.url, 'GET', '/data', withJwt(await personToken()));
    const { token } = await resourceTokenOf(challenge);
    const thief = await provider.agentToken(otherKey, ps.issuer);
    const stolen = await signedFetch(ps.url, 'POST', '/realms/ps/protocol/aauth/ps/token', { ...withJwt(thief, otherKey), body: JSON.stringify({ resource_token: token }) });
    expect(stolen.status).toBe(400);
    expect(stolen.json).toMatchObject({ error: 'invalid_resource_token', detail: expect.stringContaining('agent_jkt') });
    const asKey = await signedFetch(resource.url, 'GET', '/person', withJwt(token));
    expect(asKey.status).toBe(401);
  });

  test('step-up: an auth token lacking a scope gets a new resource token naming the person token verified earlier (presented_jti)', async () => {
    const person = await personToken();
    await signedFetch(resource.url, 'GET', '/person', withJwt(person));
    const answer = await signedFetch(resource.url, 'GET', '/write', withJwt(await authToken()));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'insufficient_scope' });
    const { claims } = await resourceTokenOf(answer);
    expect(claims).toMatchObject({ presented_jti: peekClaims(person, 'invalid_person_token').jti, sub: 'person-1', scope: 'data.read data.write' });
  });

  test('step-up without a person token verified for this key and mission asks for one (requirement=person-token)', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/write', withJwt(await authToken({ missionS256: MISSION, sub: 'person-2' })));
    expect(answer.status).toBe(401);
    expect(requirementOf(answer)).toEqual({ requirement: 'person-token' });
  });

  test('stepUp: false answers a lacking scope with 403 insufficient_scope and no Signature-Error', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/strict', withJwt(await authToken()));
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ error: 'insufficient_scope' });
    expect(answer.headers.get(H.signatureError)).toBeNull();
  });

  test('attack: an auth token for another resource (wrong aud) is refused', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/data', withJwt(await authToken({}, fourParty.url)));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'invalid_auth_token' });
  });

  test('attack: an auth token bound (cnf) to another key is refused', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/data', withJwt(await authToken({ cnfJwk: otherKey.publicJwk })));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'invalid_signature' });
  });

  test('attack: an auth token of an untrusted issuer is refused before its metadata is fetched', async () => {
    const before = untrustedPs.metadataFetches();
    const token = await untrustedPs.authToken({ aud: resource.url, sub: 'person-1', cnfJwk: agentKey.publicJwk, scope: 'data.read' });
    const answer = await signedFetch(resource.url, 'GET', '/data', withJwt(token));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'invalid_auth_token' });
    expect(untrustedPs.metadataFetches()).toBe(before);
  });

  test('four-party: an auth token of the resource\'s access server (dwk aauth-access.json) is served, its person (ps, sub)', async () => {
    const token = await accessServer.authToken({ aud: fourParty.url, ps: ps.issuer, sub: 'person-1', cnfJwk: agentKey.publicJwk, scope: 'data.read' });
    const ok = await signedFetch(fourParty.url, 'GET', '/data', withJwt(token));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ issuer: accessServer.issuer, ps: ps.issuer, sub: 'person-1', scopes: ['data.read'] });
  });

  test('a person token never stands in for an auth token: it only ever gets a resource token', async () => {
    const answer = await signedFetch(resource.url, 'GET', '/data', withJwt(await personToken()));
    expect(answer.status).toBe(401);
    expect(requirementOf(answer).requirement).toBe('auth-token');
  });
});

describe('profiles', () => {
  test('attack: a 2026-03 agent token at a current-only resource is refused', async () => {
    const legacy = await legacyAgents.agentToken(agentKey);
    const answer = await signedFetch(resource.url, 'GET', '/identity', withJwt(legacy));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'invalid_signature', detail: expect.stringContaining('aauth-2026-03') });
  });

  test('attack: a current person token at a 2026-03-only resource is refused', async () => {
    const answer = await signedFetch(legacyOnly.url, 'GET', '/data', withJwt(await personToken({}, ps, legacyOnly.url)));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'invalid_signature', error_description: expect.stringContaining('aauth-current') });
    expect(answer.headers.get(AAUTH_2026_03.headers.challenge)).toBeNull();
  });

  test('a resource serving both answers each token in its own profile, an unsigned request in both, and says so in its metadata', async () => {
    const legacy = await signedFetch(both.url, 'GET', '/data', withJwt(await legacyAgents.agentToken(agentKey)));
    const challenge = parseChallenge(legacy.headers.get(AAUTH_2026_03.headers.challenge) ?? '');
    if (challenge.require !== 'auth-token') throw new Error(`expected require=auth-token, got ${challenge.require}`);
    expect(legacy.headers.get(H.requirement)).toBeNull();
    // The JWKS names the fully specified Ed25519, and 2026-03 verifiers still find the key.
    const legacyKeys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
    await expect(verifyResourceToken(challenge.resourceToken, { keys: legacyKeys, issuer: both.url, identifiers: { allowLoopbackHttp: true } })).resolves.toMatchObject({ iss: both.url, aud: legacyAs.issuer });
    const current = await signedFetch(both.url, 'GET', '/data', withJwt(await personToken({}, ps, both.url)));
    expect(requirementOf(current).requirement).toBe('auth-token');
    expect(current.headers.get(AAUTH_2026_03.headers.challenge)).toBeNull();
    const unsigned = await plainFetch(both.url, 'GET', '/data');
    expect(parseChallenge(unsigned.headers.get(AAUTH_2026_03.headers.challenge) ?? '')).toMatchObject({ require: 'identity' });
    expect(requirementOf(unsigned)).toEqual({ requirement: 'person-token' });
    const meta = await plainFetch(both.url, 'GET', `/.well-known/${AAUTH_CURRENT.wellKnown.resource}`);
    expect(meta.json).toMatchObject({ resource: both.url, issuer: both.url });
    await currentDiscovery().currentMetadata(both.url, AAUTH_CURRENT.wellKnown.resource);
  });
});
