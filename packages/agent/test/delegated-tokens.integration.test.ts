/**
 * Delegated tokens end to end over loopback: the embedded auth server's RFC 8693 exchange
 * endpoint, resources built with `aauth()` whose routes opt in with `requireAuth({ delegated })`,
 * and agents answering `require=delegated-token` by exchange with the subject token they hold
 * (`forUpstream`). The user approves the first hop (assistant → B) once; B exchanges that token
 * for R (chain B ← assistant), or for C, which exchanges again for R (chain C ← B ← assistant).
 */
import express from 'express';
import { generateSigningKey, signRequest, type ChainPolicy } from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession, type RequestSigner } from '@aauth-ts/agent';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { host, type Host } from './support/http.js';
import { driveInteraction } from '../../../conformance/support/consent-driver.js';

const USER = { id: 'c0ffee00-0000-4000-8000-00000000de1e', username: 'dana', password: 'dana-password' };

let authServer: AuthServer;
let issuer: string;
let assistantHost: Host;
let b: Host;
let c: Host;
let r: Host;
let r2: Host;
let bSession: RequestSigner;
let cSession: RequestSigner;
/** Tokens the resources' handlers saw, by route. */
const seen = new Map<string, string>();
/** R's decision log lines. */
const decisions: Record<string, unknown>[] = [];
let userToken: string;

/** The raw token a route handler saw, for presenting it by hand. */
function capture(name: string): express.RequestHandler {
  return (req, res) => {
    const ctx = (req as AAuthRequest).aauth;
    if (ctx.authToken !== undefined) seen.set(name, ctx.authToken);
    res.json({ agent: ctx.agent ?? null, sub: ctx.sub ?? null, tokenType: ctx.tokenType ?? null, delegation: ctx.delegation ?? null });
  };
}

const noThirdHop: ChainPolicy = (input) => Promise.resolve(input.act.length > 2 ? { allow: false, reason: 'no third hop on this route' } : { allow: true, reason: 'short chain' });

beforeAll(async () => {
  [assistantHost, b, c, r, r2] = await Promise.all([host(), host(), host(), host(), host()]);
  authServer = createAuthServer({
    log: () => undefined,
    realm: {
      realm: 'delegation',
      attributes: { 'aauth.allowLoopback': 'true' },
      users: [{ id: USER.id, username: USER.username, credentials: [{ type: 'password', value: USER.password }] }],
      clientScopes: [
        { name: 'b:use', attributes: { 'aauth.resource': b.id } },
        { name: 'c:use', attributes: { 'aauth.resource': c.id } },
        { name: 'data:read', attributes: { 'aauth.resource': r.id } },
        { name: 'other:read', attributes: { 'aauth.resource': r2.id } },
      ],
      clients: [
        { clientId: assistantHost.id, consentRequired: true, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['b:use'] },
        { clientId: b.id, attributes: { 'aauth.resource': 'true', 'aauth.agent': 'true', 'aauth.chainScopes': '["c:use","data:read","other:read"]' }, optionalClientScopes: ['c:use', 'data:read', 'other:read'] },
        { clientId: c.id, attributes: { 'aauth.resource': 'true', 'aauth.agent': 'true', 'aauth.chainScopes': '["data:read"]' }, optionalClientScopes: ['data:read'] },
        { clientId: r.id, attributes: { 'aauth.resource': 'true' } },
        { clientId: r2.id, attributes: { 'aauth.resource': 'true' } },
      ],
    },
  });
  ({ issuer } = await authServer.listen(0));

  const agentApp = (h: Host, sub: string): { app: express.Express; session: RequestSigner } => {
    const agent = new AgentServer({ identifier: h.id, development: true, jwksPath: '/.well-known/agent-jwks.json' });
    const app = express();
    app.use(agent.router());
    return { app, session: AgentSession.delegateOf(agent, { sub }) };
  };
  const resource = (h: Host): ReturnType<typeof aauth> => aauth({ resource: h.id, signingKey: generateSigningKey(), authServer: issuer, development: true });

  // B: the first hop's resource (the user approves the assistant there); an agent for R and C.
  const bParts = agentApp(b, 'b-1');
  bSession = bParts.session;
  const bmw = resource(b);
  bParts.app.use(bmw);
  bParts.app.get('/capture', bmw.requireAuth({ scope: 'b:use' }), capture('b'));
  bParts.app.use(aauthErrorHandler());
  b.use(bParts.app);

  // C: takes delegated tokens only; an agent for R.
  const cParts = agentApp(c, 'c-1');
  cSession = cParts.session;
  const cmw = resource(c);
  cParts.app.use(cmw);
  cParts.app.get('/capture', cmw.requireAuth({ scope: 'c:use', delegated: { only: true } }), capture('c'));
  cParts.app.use(aauthErrorHandler());
  c.use(cParts.app);

  // R: one route per policy.
  const rmw = aauth({
    resource: r.id, signingKey: generateSigningKey(), authServer: issuer, development: true,
    logger: { info: (line: object) => { decisions.push(line as Record<string, unknown>); }, warn: () => undefined },
  });
  const rapp = express();
  rapp.use(rmw);
  rapp.get('/plain', rmw.requireAuth({ scope: 'data:read' }), capture('r-plain'));
  rapp.get('/delegated', rmw.requireAuth({ scope: 'data:read', delegated: { only: true } }), capture('r-delegated'));
  rapp.get('/either', rmw.requireAuth({ scope: 'data:read', delegated: {} }), capture('r-either'));
  rapp.get('/max2', rmw.requireAuth({ scope: 'data:read', delegated: { only: true, maxDepth: 2 } }), capture('r-max2'));
  rapp.get('/c-first', rmw.requireAuth({ scope: 'data:read', delegated: { only: true, actors: [[c.id], '*'] } }), capture('r-c-first'));
  rapp.get('/agent-subject', rmw.requireAuth({ scope: 'data:read', delegated: { only: true, subjectType: 'agent' } }), capture('r-agent-subject'));
  rapp.get('/policy', rmw.requireAuth({ scope: 'data:read', delegated: { only: true, policy: noThirdHop } }), capture('r-policy'));
  rapp.use(aauthErrorHandler());
  r.use(rapp);

  const r2mw = resource(r2);
  const r2app = express();
  r2app.use(r2mw);
  r2app.get('/delegated', r2mw.requireAuth({ scope: 'other:read', delegated: { only: true } }), capture('r2'));
  r2app.use(aauthErrorHandler());
  r2.use(r2app);

  const assistant = new AgentServer({ identifier: assistantHost.id, development: true });
  assistantHost.use(assistant.router());
  // The user approves the assistant's call to B once; B's handler keeps the auth token it was given.
  const client = new AAuthClient({
    session: AgentSession.delegateOf(assistant, { sub: 'assistant-1' }), development: true, authServers: [issuer], minPollIntervalMs: 20,
    onInteraction: async ({ code }) => { await driveInteraction('embedded', `${issuer}/protocol/aauth/interact`, code, USER, 'approve'); },
  });
  const first = await client.fetch(`${b.id}/capture`);
  expect(first.status).toBe(200);
  userToken = seen.get('b') as string;
});

afterAll(async () => {
  await authServer.close();
  await Promise.all([assistantHost, b, c, r, r2].map((h) => h.close()));
});

const clientOf = (session: RequestSigner): AAuthClient => new AAuthClient({ session, development: true, authServers: [issuer] });

/** B's delegated token for C (chain B ← assistant), obtained through C's delegated-only route. */
async function tokenAtC(): Promise<string> {
  const res = await clientOf(bSession).forUpstream(userToken).fetch(`${c.id}/capture`);
  expect(res.status).toBe(200);
  return seen.get('c') as string;
}

/** A GET to `url` signed by `session`'s key presenting `token` (`Signature-Key: sig=jwt`). */
function presented(url: string, session: RequestSigner, token: string): Promise<Response> {
  const headers = signRequest({ method: 'GET', url, headers: {} }, { key: session.key, signatureKey: { scheme: 'jwt', jwt: token } });
  return fetch(url, { headers });
}

describe('delegated tokens at resources (requireAuth({ delegated }))', () => {
  it('two actors: B answers require=delegated-token by exchange; R sees the chain B ← assistant and the user', async () => {
    const events: string[] = [];
    const client = new AAuthClient({ session: bSession, development: true, authServers: [issuer], onEvent: (e) => events.push(e.type) });
    const res = await client.forUpstream(userToken).fetch(`${r.id}/delegated`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      agent: b.id, sub: USER.id, tokenType: 'delegated',
      delegation: { issuer, subject: USER.id, act: [b.id, assistantHost.id], scope: ['data:read'] },
    });
    expect(events).toEqual(expect.arrayContaining(['delegation.challenge', 'delegated-token.issued']));
  });

  it('three actors: C exchanges the delegated token it was given; R sees C ← B ← assistant', async () => {
    const atC = await tokenAtC();
    const res = await clientOf(cSession).forUpstream(atC).fetch(`${r.id}/delegated`);
    expect(res.status).toBe(200);
    expect((await res.json()).delegation).toEqual({ issuer, subject: USER.id, act: [c.id, b.id, assistantHost.id], scope: ['data:read'] });
  });

  it('a route\'s maxDepth refuses a longer chain → 403 access_denied (and takes a shorter one)', async () => {
    const long = await clientOf(cSession).forUpstream(await tokenAtC()).fetch(`${r.id}/max2`);
    expect(long.status).toBe(403);
    expect(await long.json()).toEqual({ error: 'access_denied', error_description: expect.stringContaining('at most 2') });
    expect((await clientOf(bSession).forUpstream(userToken).fetch(`${r.id}/max2`)).status).toBe(200);
  });

  it('an actor not allowed at its position → 403 access_denied', async () => {
    const res = await clientOf(bSession).forUpstream(userToken).fetch(`${r.id}/c-first`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'access_denied', error_description: expect.stringContaining(`${b.id} may not act at position 1`) });
    expect((await clientOf(cSession).forUpstream(await tokenAtC()).fetch(`${r.id}/c-first`)).status).toBe(200);
  });

  it('a required original subject type: a chain begun by a user at an agent-subject route → 403 access_denied', async () => {
    const res = await clientOf(bSession).forUpstream(userToken).fetch(`${r.id}/agent-subject`);
    expect(res.status).toBe(403);
    expect((await res.json()).error_description).toContain('an agent acting for itself');
  });

  it('the route\'s ChainPolicy decides on the whole chain: its reason is the refusal', async () => {
    expect((await clientOf(bSession).forUpstream(userToken).fetch(`${r.id}/policy`)).status).toBe(200);
    const res = await clientOf(cSession).forUpstream(await tokenAtC()).fetch(`${r.id}/policy`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'access_denied', error_description: 'no third hop on this route' });
    expect(decisions).toContainEqual(expect.objectContaining({ component: 'resource', outcome: 'refused', error: 'access_denied', policy_reason: 'no third hop on this route', agent: c.id }));
  });

  it('a delegated token for another resource (wrong aud) → 401 invalid_auth_token', async () => {
    const forC = await tokenAtC();
    const res = await presented(`${r.id}/delegated`, bSession, forC);
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe('invalid_auth_token');
  });

  it('a delegated token presented with another key than its cnf → 401 invalid_signature', async () => {
    expect((await clientOf(bSession).forUpstream(userToken).fetch(`${r.id}/delegated`)).status).toBe(200);
    const res = await presented(`${r.id}/delegated`, cSession, seen.get('r-delegated') as string);
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe('invalid_signature');
  });

  it('a plain auth token at a delegated-only route → 401 require=delegated-token naming the auth server, audience and scope', async () => {
    expect((await clientOf(bSession).forUpstream(userToken).fetch(`${r.id}/plain`)).status).toBe(200);
    const res = await presented(`${r.id}/delegated`, bSession, seen.get('r-plain') as string);
    expect(res.status).toBe(401);
    expect(res.headers.get('aauth')).toBe(`require=delegated-token;auth-server="${issuer}";audience="${r.id}";scope="data:read"`);
    expect((await res.json()).error).toBe('invalid_auth_token');
  });

  it('a delegated token at a route that did not opt in → 401 require=auth-token', async () => {
    expect((await clientOf(bSession).forUpstream(userToken).fetch(`${r.id}/delegated`)).status).toBe(200);
    const res = await presented(`${r.id}/plain`, bSession, seen.get('r-delegated') as string);
    expect(res.status).toBe(401);
    expect(res.headers.get('aauth')).toMatch(/^require=auth-token;/);
    expect((await res.json()).error_description).toContain('delegated tokens are not accepted here');
  });

  it('a route taking either accepts the delegated token too', async () => {
    const res = await presented(`${r.id}/either`, bSession, seen.get('r-delegated') as string);
    expect(res.status).toBe(200);
    expect((await res.json()).tokenType).toBe('delegated');
  });

  it('an agent holding no subject token gets the 401 back', async () => {
    const res = await clientOf(bSession).fetch(`${r2.id}/delegated`);
    expect(res.status).toBe(401);
    expect(res.headers.get('aauth')).toMatch(/^require=delegated-token;/);
  });
});
