/**
 * Required signature components at the agent (2026-03 §Covered Components; §Error Responses
 * `invalid_signature` with `required_components`), against real servers on loopback:
 *  - a resource built with the middleware that requires `@target-uri` beyond the default, with
 *    the embedded auth server: the agent re-signs once after the refusal, then answers the
 *    challenge, and signs later requests with what it learnt;
 *  - an auth server whose token endpoint requires `@target-uri`, built from core's verifier and
 *    token issuer (neither of the project's auth servers asks for more than the agent signs by
 *    default): the agent reads `additional_signature_components` from `aauth-issuer.json`, and
 *    re-signs once after a `required_components` refusal.
 */
import axios from 'axios';
import express from 'express';
import {
  AAuthError, KeyDiscovery, GuardedFetcher, createAuthToken, generateSigningKey, toJwks, verifyAgentToken, verifyRequest,
} from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession, withAAuth, type AAuthEvent } from '@aauth-ts/agent';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { host, type Host } from './support/http.js';

/** The components a `request.signed` event's signature covers. */
function covered(event: AAuthEvent): string[] {
  if (event.type !== 'request.signed') return [];
  const input = event.headers['signature-input'] ?? '';
  return [...input.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
}

let authServer: AuthServer;
let issuer: string;
let strictResource: Host;
let standInResource: Host;
let standInIssuer: Host;
let agentHost: Host;
let agent: AgentServer;
const tokenRequests: { components: string[]; status: number }[] = [];
let issuerLists = true;

beforeAll(async () => {
  [strictResource, standInResource, standInIssuer, agentHost] = await Promise.all([host(), host(), host(), host()]);
  agent = new AgentServer({ identifier: agentHost.id, development: true });
  agentHost.use(agent.router());

  authServer = createAuthServer({
    log: () => undefined,
    realm: {
      realm: 'components',
      attributes: { 'aauth.allowLoopback': 'true' },
      clientScopes: [{ name: 'data:read', description: 'Read data', attributes: { 'aauth.resource': strictResource.id } }],
      clients: [
        { clientId: agentHost.id, name: 'Agent', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['data:read'] },
        { clientId: strictResource.id, name: 'Data', attributes: { 'aauth.resource': 'true' } },
      ],
    },
  });
  ({ issuer } = await authServer.listen(0));

  // A resource that requires @target-uri on every request, besides the strict default.
  const mw = aauth({ resource: strictResource.id, signingKey: generateSigningKey(), authServer: issuer, development: true, additionalSignatureComponents: ['@target-uri'] });
  const app = express();
  app.use(mw);
  app.get('/data', mw.requireAuth({ scope: 'data:read' }), (req, res) => {
    res.json({ components: (req as AAuthRequest).aauth.components });
  });
  app.use(aauthErrorHandler());
  strictResource.use(app);

  // An auth server whose token endpoint requires @target-uri (listed in its metadata while `issuerLists`).
  const issuerKey = generateSigningKey();
  const keys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
  const issuerApp = express();
  issuerApp.get('/.well-known/aauth-issuer.json', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({
      issuer: standInIssuer.id,
      token_endpoint: `${standInIssuer.id}/token`,
      interaction_endpoint: `${standInIssuer.id}/interact`,
      jwks_uri: `${standInIssuer.id}/jwks`,
      ...(issuerLists ? { additional_signature_components: ['@query', 'content-type', 'content-digest', '@target-uri'] } : {}),
    });
  });
  issuerApp.get('/jwks', (_req, res) => { res.json(toJwks([issuerKey])); });
  issuerApp.post('/token', express.raw({ type: () => true }), async (req, res) => {
    const body = req.body instanceof Buffer ? new Uint8Array(req.body) : undefined;
    const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
    try {
      const verified = await verifyRequest({ method: 'POST', url: `${standInIssuer.id}${req.url}`, headers, body }, {
        requiredComponents: ['@target-uri'],
        resolveKey: async (key) => {
          if (key.scheme !== 'jwt') throw new AAuthError('invalid_signature', 'jwt only');
          const claims = await verifyAgentToken(key.jwt, { keys, identifiers: { allowLoopbackHttp: true } });
          return { jwk: claims.cnf.jwk, info: claims.iss };
        },
      });
      tokenRequests.push({ components: [...verified.components], status: 200 });
      const parsed = JSON.parse(new TextDecoder().decode(body)) as { resource_token: string };
      const claims = JSON.parse(Buffer.from(parsed.resource_token.split('.')[1] as string, 'base64url').toString()) as { iss: string; scope: string };
      const authToken = await createAuthToken(issuerKey, { iss: standInIssuer.id, aud: claims.iss, agent: verified.info, cnfJwk: verified.jwk, scope: claims.scope, lifetimeSeconds: 300 });
      res.set('Cache-Control', 'no-store').json({ auth_token: authToken, expires_in: 300 });
    } catch (err) {
      if (!(err instanceof AAuthError)) throw err;
      tokenRequests.push({ components: [], status: err.status });
      res.status(err.status).json(err.toJSON());
    }
  });
  standInIssuer.use(issuerApp);

  const standInMw = aauth({ resource: standInResource.id, signingKey: generateSigningKey(), authServer: standInIssuer.id, development: true });
  const standInApp = express();
  standInApp.use(standInMw);
  standInApp.get('/data', standInMw.requireAuth({ scope: 'data:read' }), (_req, res) => { res.json({ ok: true }); });
  standInApp.use(aauthErrorHandler());
  standInResource.use(standInApp);
});

afterAll(async () => {
  await authServer.close();
  await Promise.all([strictResource, standInResource, standInIssuer, agentHost].map((h) => h.close()));
});

function newClient(events: AAuthEvent[]): AAuthClient {
  return new AAuthClient({
    session: AgentSession.delegateOf(agent, { sub: 'components-1' }),
    development: true,
    authServers: [issuer, standInIssuer.id],
    onEvent: (e) => { events.push(e); },
  });
}

describe('resource: required_components refusal', () => {
  it('the agent re-signs once with the required components, answers the challenge, and gets the data', async () => {
    const events: AAuthEvent[] = [];
    const res = await newClient(events).fetch(`${strictResource.id}/data`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { components: string[] }).components).toContain('@target-uri');
    const responses = events.filter((e) => e.type === 'response').map((e) => e.type === 'response' && e.status);
    // refusal for components, re-signed → challenge, exchanged → 200
    expect(responses).toEqual([401, 401, 200]);
    expect(events.filter((e) => e.type === 'resign')).toHaveLength(1);
    const signed = events.filter((e) => e.type === 'request.signed');
    expect(covered(signed[0] as AAuthEvent)).not.toContain('@target-uri');
    expect(covered(signed[1] as AAuthEvent)).toContain('@target-uri');
  });

  it('later requests to that resource are signed with the learnt components up front', async () => {
    const events: AAuthEvent[] = [];
    const client = newClient(events);
    await (await client.fetch(`${strictResource.id}/data`)).body?.cancel();
    events.length = 0;
    const res = await client.fetch(`${strictResource.id}/data`);
    expect(res.status).toBe(200);
    expect(events.filter((e) => e.type === 'response').map((e) => e.type === 'response' && e.status)).toEqual([200]);
    expect(covered(events.find((e) => e.type === 'request.signed') as AAuthEvent)).toContain('@target-uri');
  });

  it('a resource that keeps refusing gets one re-signed request, not a loop', async () => {
    const events: AAuthEvent[] = [];
    const other = await host();
    // The header the resource asks for is not on the request, so the re-signed request cannot cover it.
    const mw = aauth({ resource: other.id, signingKey: generateSigningKey(), authServer: issuer, development: true, additionalSignatureComponents: ['x-never-sent'] });
    const app = express();
    app.use(mw);
    app.get('/data', mw.requireSignature(), (_req, res) => { res.json({}); });
    app.use(aauthErrorHandler());
    try {
      other.use(app);
      const res = await newClient(events).fetch(`${other.id}/data`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { required_components: string[] }).required_components).toContain('x-never-sent');
      expect(events.filter((e) => e.type === 'response')).toHaveLength(2);
      expect(events.filter((e) => e.type === 'resign')).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('axios: the same re-sign once, then the challenge', async () => {
    const events: AAuthEvent[] = [];
    const instance = axios.create({ validateStatus: () => true });
    withAAuth(instance, { client: newClient(events) });
    const res = await instance.get(`${strictResource.id}/data`);
    expect(res.status).toBe(200);
    expect(events.filter((e) => e.type === 'response').map((e) => e.type === 'response' && e.status)).toEqual([401, 401, 200]);
  });
});

describe('token endpoint: issuer metadata and required_components', () => {
  it('the token request covers the components aauth-issuer.json lists', async () => {
    issuerLists = true;
    tokenRequests.length = 0;
    const res = await newClient([]).fetch(`${standInResource.id}/data`);
    expect(res.status).toBe(200);
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]?.components).toContain('@target-uri');
  });

  it('without the metadata member, the agent re-signs the token request once after required_components', async () => {
    issuerLists = false;
    tokenRequests.length = 0;
    const res = await newClient([]).fetch(`${standInResource.id}/data`);
    expect(res.status).toBe(200);
    expect(tokenRequests.map((t) => t.status)).toEqual([401, 200]);
    expect(tokenRequests[1]?.components).toContain('@target-uri');
  });
});
