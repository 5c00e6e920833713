// A running system on loopback, in a process of its own, for the tools that attack it from outside:
// the soak (scripts/soak/run.js, which starts it with --expose-gc to read the heap after a forced
// GC) and the fuzz suite (packages/auth-server/test/fuzz.property.test.ts). Everything listens on
// 127.0.0.1:
//  - the embedded auth server, realm `soak`;
//  - an express resource guarded by aauth() (GET/POST /data need `data:read`, /admin/x needs a
//    scope nobody holds, POST /pseudo takes any signature, GET /open nothing), with a JSON 404;
//  - two agent servers (one autonomous, one whose requests need the user's consent) and an issuer
//    the realm trusts, each publishing its metadata and JWKS.
// The parent receives over IPC the keys and tokens that valid requests need ({type: 'ready'}), and
// asks for {type: 'report'} (the last 20 errors the servers logged as unexpected, and of the
// unhandled rejections and uncaught exceptions this process's own listeners saw, with their counts;
// the heap used after a forced GC when --expose-gc is on) and {type: 'stop'}.
import http from 'node:http';
import express from 'express';
import {
  FetchError, GuardedFetcher, KeyDiscovery, PROFILE, createAgentToken, createAuthToken, createResourceToken, exportPrivateJwk,
  generateSigningKey, signRequest, toJwks,
} from '@aauth-ts/core';
import { createAuthServer } from '@aauth-ts/auth-server';
import { aauth, aauthErrorHandler, captureRawBody } from '@aauth-ts/resource';

const LIFESPAN = Number(process.env.SOAK_TOKEN_LIFESPAN ?? 3600);
const USER = { id: '7c1d2e3f-0000-4000-8000-00000000a11c', username: 'alice', password: 'alice-password' };
const unexpected = [];
// Failed remote fetches are expected under hostile traffic (unknown agent ids, unknown kids): counted, not flagged.
let fetchFailures = 0;
// Decision lines are not needed here; a failed remote fetch's diagnostic (a `warn` line) is counted.
const countingLogger = { info() {}, warn() { fetchFailures += 1; } };
const rejections = [];
const describe = (err) => (err instanceof Error ? err.stack ?? err.message : String(err));
process.on('unhandledRejection', (reason) => { rejections.push(`unhandled rejection: ${describe(reason)}`); });
process.on('uncaughtException', (err) => { rejections.push(`uncaught exception: ${describe(err)}`); });

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

/** A party publishing `{origin}/.well-known/{document}` (naming itself in `member`) and its JWKS. */
async function party(document, member) {
  const key = generateSigningKey('Ed25519', 'server-1');
  const delegate = generateSigningKey('Ed25519', 'delegate-1');
  let docs = new Map();
  const host = await listen((req, res) => {
    const doc = req.method === 'GET' ? docs.get((req.url ?? '/').split('?')[0]) : undefined;
    res.setHeader('content-type', 'application/json');
    res.statusCode = doc ? 200 : 404;
    res.end(JSON.stringify(doc ?? { error: 'invalid_request', error_description: 'not found' }));
  });
  const id = host.origin;
  const extra = document === PROFILE.wellKnown.issuer ? { token_endpoint: `${id}/token`, interaction_endpoint: `${id}/interact` } : {};
  docs = new Map([[`/.well-known/${document}`, { [member]: id, jwks_uri: `${id}/jwks.json`, ...extra }], ['/jwks.json', toJwks([key])]]);
  return { id, key, delegate, host };
}

/**
 * Made-up identifiers (in hostile or mutated tokens) would make the resource fetch metadata from
 * them; only literal loopback addresses get through, before a packet leaves.
 */
class LoopbackOnlyDiscovery extends KeyDiscovery {
  async getKey(issuer, document, kid, alg) {
    const host = URL.canParse(issuer) ? new URL(issuer).hostname : '';
    if (!/^127(\.\d{1,3}){3}$/.test(host)) throw new FetchError('address_not_allowed', `${issuer} is not a loopback address`);
    return super.getKey(issuer, document, kid, alg);
  }
}

const agent = await party(PROFILE.wellKnown.agent, 'agent');
const consentAgent = await party(PROFILE.wellKnown.agent, 'agent');
const trustedIssuer = await party(PROFILE.wellKnown.issuer, 'issuer');

// The resource listens first: the realm names it, and it names the realm's issuer.
let resourceApp = (_req, res) => { res.statusCode = 503; res.end(); };
const resourceHost = await listen((req, res) => resourceApp(req, res));
const resourceId = resourceHost.origin;

const auth = createAuthServer({
  log: (message, err) => { unexpected.push(`auth server: ${message}: ${describe(err)}`); },
  logger: countingLogger,
  realm: {
    realm: 'soak',
    accessTokenLifespan: LIFESPAN,
    attributes: { 'aauth.allowLoopback': 'true', 'aauth.trustedIssuers': JSON.stringify([trustedIssuer.id]) },
    users: [{ id: USER.id, username: USER.username, enabled: true, credentials: [{ type: 'password', value: USER.password }] }],
    clientScopes: [{ name: 'data:read', attributes: { 'aauth.resource': resourceId } }, { name: 'self:profile' }],
    clients: [
      { clientId: agent.id, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['data:read', 'self:profile'] },
      { clientId: consentAgent.id, consentRequired: true, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['data:read'] },
      { clientId: resourceId, attributes: { 'aauth.resource': 'true' } },
    ],
  },
});
const { issuer, port: authPort } = await auth.listen(0, '127.0.0.1');

const resourceKey = generateSigningKey('Ed25519', 'resource-1');
const app = express();
app.disable('x-powered-by');
app.use(express.json({ verify: captureRawBody }));
const guard = aauth({
  resource: resourceId, signingKey: resourceKey, authServer: issuer, development: true,
  keyDiscovery: new LoopbackOnlyDiscovery(new GuardedFetcher({ allowLoopback: true, timeoutMs: 2000 })),
  logger: countingLogger,
});
app.use(guard);
app.all('/open', (_req, res) => { res.json({ ok: true }); });
app.all('/data', guard.requireAuth({ scope: 'data:read' }), (req, res) => { res.json({ rows: [1, 2, 3], body: typeof req.body }); });
app.all('/admin/x', guard.requireAuth({ scope: 'data:admin' }), (_req, res) => { res.json({ admin: true }); });
app.all('/pseudo', guard.requireSignature(), (_req, res) => { res.json({ ok: true }); });
app.use(aauthErrorHandler({ log: (err) => { unexpected.push(`resource: ${describe(err)}`); } }));
// The application's own 404, in the same shape as every other refusal.
app.use((_req, res) => { res.status(404).json({ error: 'not_found', error_description: 'no such route' }); });
resourceApp = app;

// Valid material, obtained the ordinary way (signed token requests).
const agentToken = await createAgentToken(agent.key, { iss: agent.id, sub: 'delegate', cnfJwk: agent.delegate.publicJwk, lifetimeSeconds: LIFESPAN });
const consentAgentToken = await createAgentToken(consentAgent.key, { iss: consentAgent.id, sub: 'delegate', cnfJwk: consentAgent.delegate.publicJwk, lifetimeSeconds: LIFESPAN });
const tokenEndpoint = `${issuer}/protocol/aauth/token`;
async function tokenRequest(who, jwt) {
  const body = JSON.stringify({ resource_token: await createResourceToken(resourceKey, { iss: resourceId, aud: issuer, agent: who.id, agentJkt: who.delegate.thumbprint, scope: 'data:read' }) });
  const headers = { 'content-type': 'application/json' };
  const signed = signRequest({ method: 'POST', url: tokenEndpoint, headers, body }, { key: who.delegate, signatureKey: { scheme: 'jwt', jwt } });
  const res = await fetch(tokenEndpoint, { method: 'POST', headers: { ...headers, ...signed }, body });
  return { status: res.status, location: res.headers.get('location'), json: await res.json() };
}
const issued = await tokenRequest(agent, agentToken);
if (issued.status !== 200 || typeof issued.json.auth_token !== 'string') throw new Error(`servers: no auth token (HTTP ${issued.status})`);
const pending = await tokenRequest(consentAgent, consentAgentToken);
if (pending.status !== 202 || pending.location === null) throw new Error(`servers: no pending request (HTTP ${pending.status})`);
// A user's token from the trusted issuer, issued to the autonomous agent (call chaining, token exchange).
const subjectToken = await createAuthToken(trustedIssuer.key, {
  iss: trustedIssuer.id, aud: agent.id, agent: consentAgent.id, cnfJwk: consentAgent.delegate.publicJwk, sub: USER.id, scope: 'data:read', lifetimeSeconds: LIFESPAN,
});

async function heap() {
  if (typeof globalThis.gc !== 'function') return undefined;
  // Several passes: weak references and finalizers let go over more than one collection.
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

process.on('message', async (message) => {
  if (message.type === 'report') {
    process.send({ type: 'report', unexpected: unexpected.slice(-20), unexpectedCount: unexpected.length, rejections: rejections.slice(-20), rejectionCount: rejections.length, fetchFailures, heap: await heap() });
  }
  if (message.type === 'stop') {
    await auth.close();
    for (const host of [agent.host, consentAgent.host, trustedIssuer.host, resourceHost]) {
      host.server.closeAllConnections();
      host.server.close();
    }
    process.disconnect();
  }
});

process.send({
  type: 'ready',
  issuer, authPort, authOrigin: `http://127.0.0.1:${authPort}`, resourceId, resourcePort: resourceHost.server.address().port,
  resourceKey: exportPrivateJwk(resourceKey),
  agent: { id: agent.id, delegate: exportPrivateJwk(agent.delegate), agentToken },
  consentAgent: { id: consentAgent.id, delegate: exportPrivateJwk(consentAgent.delegate), agentToken: consentAgentToken },
  authToken: issued.json.auth_token, subjectToken, pendingPath: new URL(pending.location).pathname,
});
