/**
 * The packages together over loopback: an agent (@aauth-ts/agent) calls a resource
 * (@aauth-ts/resource), gets 401 + resource token, exchanges it at the embedded auth server and
 * retries with the auth token: 200. Once autonomously, once with a user approving on the
 * interaction page (driven over HTTP).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AAuthClient, AgentServer, AgentSession } from '@aauth-ts/agent';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { generateSigningKey } from '@aauth-ts/core';
import { driveInteraction } from '../../../conformance/support/consent-driver.js';
import { USER } from './helpers.js';

interface Host { readonly id: string; readonly server: Server; use(handler: RequestListener): void }

async function host(): Promise<Host> {
  let handler: RequestListener = (_req, res) => { res.statusCode = 503; res.end(); };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { id: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, use: (h) => { handler = h; } };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe('agent → resource → 401 → exchange → 200 (with @aauth-ts/agent and @aauth-ts/resource)', () => {
  let authServer: AuthServer;
  let issuer: string;
  let resourceHost: Host;
  let botHost: Host;
  let userAgentHost: Host;
  let bot: AgentServer;
  let userAgent: AgentServer;

  beforeAll(async () => {
    [resourceHost, botHost, userAgentHost] = await Promise.all([host(), host(), host()]);
    authServer = createAuthServer({
      log: () => undefined,
      realm: {
        realm: 'e2e',
        attributes: { 'aauth.allowLoopback': 'true' },
        users: [{ id: USER.id, username: USER.username, credentials: [{ type: 'password', value: USER.password }] }],
        clientScopes: [{ name: 'inventory:read', description: 'Read the inventory', attributes: { 'aauth.resource': resourceHost.id } }],
        clients: [
          { clientId: botHost.id, name: 'E2E bot', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['inventory:read'] },
          { clientId: userAgentHost.id, name: 'E2E assistant', consentRequired: true, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['inventory:read'] },
          { clientId: resourceHost.id, name: 'E2E inventory', attributes: { 'aauth.resource': 'true' } },
        ],
      },
    });
    ({ issuer } = await authServer.listen(0));

    const mw = aauth({ resource: resourceHost.id, signingKey: generateSigningKey(), authServer: issuer, development: true });
    const app = express();
    app.use(mw);
    app.get('/inventory', mw.requireAuth({ scope: 'inventory:read' }), (req, res) => {
      const ctx = (req as AAuthRequest).aauth;
      res.json({ agent: ctx.agent, sub: ctx.sub ?? null, scopes: ctx.scopes });
    });
    app.use(aauthErrorHandler());
    resourceHost.use(app);

    bot = new AgentServer({ identifier: botHost.id, development: true });
    botHost.use(bot.router());
    userAgent = new AgentServer({ identifier: userAgentHost.id, development: true });
    userAgentHost.use(userAgent.router());
  });

  afterAll(async () => {
    await authServer.close();
    await Promise.all([resourceHost, botHost, userAgentHost].map((h) => stop(h.server)));
  });

  it('autonomous agent: 401 → exchange → 200', async () => {
    const client = new AAuthClient({ session: AgentSession.delegateOf(bot, { sub: 'bot-1' }), development: true, authServers: [issuer] });
    const res = await client.fetch(`${resourceHost.id}/inventory`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ agent: bot.identifier, sub: null, scopes: ['inventory:read'] });
  });

  it('user-delegated agent: 401 → exchange → 202 → user approves → 200 with the user as sub', async () => {
    const client = new AAuthClient({
      session: AgentSession.delegateOf(userAgent, { sub: 'assistant-1' }),
      development: true,
      authServers: [issuer],
      minPollIntervalMs: 20,
      onInteraction: async ({ code }) => {
        await driveInteraction('embedded', `${issuer}/protocol/aauth/interact`, code, USER, 'approve');
      },
    });
    const res = await client.fetch(`${resourceHost.id}/inventory`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ agent: userAgent.identifier, sub: USER.id, scopes: ['inventory:read'] });
  });
});
