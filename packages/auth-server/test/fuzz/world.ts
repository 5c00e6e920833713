/**
 * The running system the fuzz suite attacks, all on loopback: the embedded auth server (realm
 * `fuzz`), an express resource guarded by `aauth()`, two agent servers (one autonomous, one that
 * needs consent) and an issuer the realm trusts. It hands out valid material (fresh resource
 * tokens, an auth token, a subject token, a pending URL) from which valid signed requests are
 * built, and records every error either server logs as unexpected (their 500s).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { FetchError, GuardedFetcher, KeyDiscovery, createResourceToken, generateSigningKey, signRequest, type PublicJwk, type SigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler, captureRawBody } from '@aauth-ts/resource';
import { Party } from '../../../../conformance/support/parties.js';
import { USER } from '../helpers.js';

export const REALM = 'fuzz';
export const SCOPE = 'data:read';
export const SELF_SCOPE = 'self:profile';

export interface FuzzWorld {
  readonly issuer: string;
  /** Port of the auth server and of the resource. */
  readonly authPort: number;
  readonly resourcePort: number;
  readonly resourceId: string;
  readonly agent: Party;
  readonly consentAgent: Party;
  readonly trustedIssuer: Party;
  readonly resourceKey: SigningKey;
  /** Agent tokens for the two agents' delegate keys. */
  readonly agentToken: string;
  readonly consentAgentToken: string;
  /** An auth token for `agent` at the resource (scope `data:read`). */
  readonly authToken: string;
  /** A token of the trusted issuer naming the user, issued to `agent` (chaining and exchange). */
  readonly subjectToken: string;
  /** Path of a pending request made by `consentAgent`. */
  readonly pendingPath: string;
  /** Errors the servers logged as unexpected. */
  readonly unexpected: unknown[];
  freshResourceToken(agent?: Party): Promise<string>;
  close(): Promise<void>;
}

/**
 * Mutated tokens carry made-up identifiers; the resource would fetch metadata from them. This
 * fence refuses anything but a literal loopback address before a packet leaves.
 */
class LoopbackOnlyDiscovery extends KeyDiscovery {
  override async getKey(issuer: string, document: string, kid: string | undefined, alg?: string): Promise<PublicJwk> {
    const host = URL.canParse(issuer) ? new URL(issuer).hostname : '';
    if (!/^127(\.\d{1,3}){3}$/.test(host)) throw new FetchError('address_not_allowed', `test fence: ${issuer} is not a loopback address`);
    return super.getKey(issuer, document, kid, alg);
  }
}

interface Host { readonly port: number; readonly server: Server; use(handler: RequestListener): void }

async function host(): Promise<Host> {
  let handler: RequestListener = (_req, res) => { res.statusCode = 503; res.end(); };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server, use: (h) => { handler = h; } };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function realmFile(agent: Party, consentAgent: Party, trustedIssuer: Party, resourceId: string): object {
  return {
    realm: REALM,
    accessTokenLifespan: 300,
    attributes: { 'aauth.allowLoopback': 'true', 'aauth.trustedIssuers': JSON.stringify([trustedIssuer.id]) },
    users: [{ id: USER.id, username: USER.username, enabled: true, credentials: [{ type: 'password', value: USER.password }] }],
    clientScopes: [
      { name: SCOPE, attributes: { 'aauth.resource': resourceId } },
      { name: SELF_SCOPE },
    ],
    clients: [
      { clientId: agent.id, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: [SCOPE, SELF_SCOPE] },
      { clientId: consentAgent.id, consentRequired: true, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: [SCOPE] },
      { clientId: resourceId, attributes: { 'aauth.resource': 'true' } },
    ],
  };
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

export async function startFuzzWorld(): Promise<FuzzWorld> {
  const unexpected: unknown[] = [];
  const agent = new Party({ port: 0, agent: true });
  const consentAgent = new Party({ port: 0, agent: true });
  const trustedIssuer = new Party({ port: 0, issuer: true });
  await Promise.all([agent.start(), consentAgent.start(), trustedIssuer.start()]);
  const resourceHost = await host();
  const resourceId = `http://127.0.0.1:${resourceHost.port}`;
  const auth: AuthServer = createAuthServer({ realm: realmFile(agent, consentAgent, trustedIssuer, resourceId), log: (_message, err) => unexpected.push(err) });
  const { issuer, port: authPort } = await auth.listen(0);

  const resourceKey = generateSigningKey();
  const app = express();
  app.use(express.json({ verify: captureRawBody }));
  const guard = aauth({
    resource: resourceId, signingKey: resourceKey, authServer: issuer, development: true,
    keyDiscovery: new LoopbackOnlyDiscovery(new GuardedFetcher({ allowLoopback: true, timeoutMs: 2000 })),
  });
  app.use(guard);
  app.all('/open', (_req, res) => { res.json({ ok: true }); });
  app.all('/pseudo', guard.requireSignature(), (_req, res) => { res.json({ ok: true }); });
  app.all('/data', guard.requireAuth({ scope: SCOPE }), (_req, res) => { res.json({ ok: true }); });
  app.all('/admin/x', guard.requireAuth({ scope: 'data:admin' }), (_req, res) => { res.json({ admin: true }); });
  app.use(aauthErrorHandler({ log: (err) => unexpected.push(err) }));
  // An application's own 404, in the same shape as every other refusal.
  app.use((_req, res) => { res.status(404).json({ error: 'not_found', error_description: 'no such route' }); });
  resourceHost.use(app);

  const freshResourceToken = (who: Party = agent): Promise<string> =>
    createResourceToken(resourceKey, { iss: resourceId, aud: issuer, agent: who.id, agentJkt: who.delegateKey.thumbprint, scope: SCOPE });

  const agentToken = await agent.agentToken();
  const consentAgentToken = await consentAgent.agentToken();
  const tokenEndpoint = `${issuer}/protocol/aauth/token`;
  const post = async (who: Party, jwt: string, payload: object): Promise<Response> => {
    const body = JSON.stringify(payload);
    const headers = { 'content-type': 'application/json' };
    const signed = signRequest({ method: 'POST', url: tokenEndpoint, headers, body }, { key: who.delegateKey, signatureKey: { scheme: 'jwt', jwt } });
    return fetch(tokenEndpoint, { method: 'POST', headers: { ...headers, ...signed }, body });
  };

  const issued = await post(agent, agentToken, { resource_token: await freshResourceToken() });
  const authToken = (await json(issued)).auth_token;
  if (issued.status !== 200 || typeof authToken !== 'string') throw new Error(`fuzz world: no auth token (HTTP ${issued.status})`);
  const pending = await post(consentAgent, consentAgentToken, { resource_token: await freshResourceToken(consentAgent) });
  const location = pending.headers.get('location');
  if (pending.status !== 202 || location === null) throw new Error(`fuzz world: no pending request (HTTP ${pending.status})`);
  const subjectToken = await trustedIssuer.authToken({ aud: agent.id, agent: consentAgent.id, cnfJwk: consentAgent.delegateKey.publicJwk, sub: USER.id, scope: SCOPE });

  return {
    issuer, authPort, resourcePort: resourceHost.port, resourceId, agent, consentAgent, trustedIssuer, resourceKey,
    agentToken, consentAgentToken, authToken, subjectToken, pendingPath: new URL(location).pathname, unexpected, freshResourceToken,
    async close() {
      await Promise.all([auth.close(), stop(resourceHost.server), agent.stop(), consentAgent.stop(), trustedIssuer.stop()]);
    },
  };
}
