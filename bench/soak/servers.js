// The soak's servers, in their own process (started by bench/soak/run.js with --expose-gc, so the
// heap can be measured after a forced collection): the embedded auth server (realm `soak`), an
// express resource guarded by aauth(), and an agent server publishing aauth-agent.json + JWKS, all
// on 127.0.0.1. The parent gets the keys and tokens it needs to make valid requests over IPC, and
// asks for heap figures with {type: 'heap'}.
import http from 'node:http';
import express from 'express';
import {
  PROFILE, createAgentToken, createResourceToken, exportPrivateJwk, generateSigningKey, signRequest, toJwks,
} from '@aauth-ts/core';
import { createAuthServer } from '@aauth-ts/auth-server';
import { aauth, aauthErrorHandler, captureRawBody } from '@aauth-ts/resource';

const LIFESPAN = Number(process.env.SOAK_TOKEN_LIFESPAN ?? 3600);
const unexpected = [];

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

// Agent server: publishes its key; its delegate signs the requests.
const agentServerKey = generateSigningKey('Ed25519', 'server-1');
const delegate = generateSigningKey('Ed25519', 'delegate-1');
let agentDocs = new Map();
const agentHost = await listen((req, res) => {
  const doc = agentDocs.get((req.url ?? '/').split('?')[0]);
  res.setHeader('content-type', 'application/json');
  res.statusCode = doc ? 200 : 404;
  res.end(JSON.stringify(doc ?? { error: 'invalid_request', error_description: 'not found' }));
});
const agentId = agentHost.origin;
agentDocs = new Map([
  [`/.well-known/${PROFILE.wellKnown.agent}`, { agent: agentId, jwks_uri: `${agentId}/jwks.json` }],
  ['/jwks.json', toJwks([agentServerKey])],
]);

// The resource listens first: the realm names it, and it names the realm's issuer.
let resourceApp = (_req, res) => { res.statusCode = 503; res.end(); };
const resourceHost = await listen((req, res) => resourceApp(req, res));
const resourceId = resourceHost.origin;

const auth = createAuthServer({
  log: (message, err) => { unexpected.push(`${message}: ${err instanceof Error ? err.stack : String(err)}`); },
  realm: {
    realm: 'soak',
    accessTokenLifespan: LIFESPAN,
    attributes: { 'aauth.allowLoopback': 'true' },
    clientScopes: [{ name: 'data:read', attributes: { 'aauth.resource': resourceId } }, { name: 'self:profile' }],
    clients: [
      { clientId: agentId, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['data:read', 'self:profile'] },
      { clientId: resourceId, attributes: { 'aauth.resource': 'true' } },
    ],
  },
});
const { issuer, port: authPort } = await auth.listen(0, '127.0.0.1');

const resourceKey = generateSigningKey('Ed25519', 'resource-1');
const app = express();
app.disable('x-powered-by');
app.use(express.json({ verify: captureRawBody }));
const guard = aauth({ resource: resourceId, signingKey: resourceKey, authServer: issuer, development: true, fetcher: { timeoutMs: 2000 } });
app.use(guard);
app.get('/data', guard.requireAuth({ scope: 'data:read' }), (_req, res) => { res.json({ rows: [1, 2, 3] }); });
app.post('/data', guard.requireAuth({ scope: 'data:read' }), (req, res) => { res.json({ stored: typeof req.body === 'object' }); });
app.post('/pseudo', guard.requireSignature(), (_req, res) => { res.json({ ok: true }); });
app.use(aauthErrorHandler({ log: (err) => { unexpected.push(`resource: ${err instanceof Error ? err.stack : String(err)}`); } }));
resourceApp = app;

// One auth token for the resource, obtained the ordinary way (a signed token request).
const agentToken = await createAgentToken(agentServerKey, { iss: agentId, sub: 'soak-delegate', cnfJwk: delegate.publicJwk, lifetimeSeconds: LIFESPAN });
const tokenEndpoint = `${issuer}/protocol/aauth/token`;
const body = JSON.stringify({ resource_token: await createResourceToken(resourceKey, { iss: resourceId, aud: issuer, agent: agentId, agentJkt: delegate.thumbprint, scope: 'data:read' }) });
const headers = { 'content-type': 'application/json' };
const signed = signRequest({ method: 'POST', url: tokenEndpoint, headers, body }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: agentToken } });
const issued = await fetch(tokenEndpoint, { method: 'POST', headers: { ...headers, ...signed }, body });
const authToken = (await issued.json()).auth_token;
if (issued.status !== 200 || typeof authToken !== 'string') throw new Error(`soak servers: no auth token (HTTP ${issued.status})`);

async function heap() {
  // Several passes: weak references and finalizers let go over more than one collection.
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
}

process.on('message', async (message) => {
  if (message.type === 'heap') process.send({ type: 'heap', ...(await heap()) });
  if (message.type === 'unexpected') process.send({ type: 'unexpected', errors: unexpected.slice(0, 20), count: unexpected.length });
  if (message.type === 'stop') {
    await auth.close();
    for (const host of [agentHost, resourceHost]) {
      host.server.closeAllConnections();
      host.server.close();
    }
    process.disconnect();
  }
});

if (typeof globalThis.gc !== 'function') throw new Error('soak servers: run with --expose-gc');
process.send({
  type: 'ready',
  issuer, authOrigin: `http://127.0.0.1:${authPort}`, resourceId, agentId,
  delegate: exportPrivateJwk(delegate), resourceKey: exportPrivateJwk(resourceKey), agentToken, authToken,
});
