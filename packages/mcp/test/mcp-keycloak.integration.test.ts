/**
 * MCP over AAuth with Keycloak as the auth server: the flow of mcp-aauth.integration.test.ts (an
 * assistant the user approved calls an MCP tool; the tool calls a downstream route that takes
 * delegated tokens only, answering its challenge by RFC 8693 exchange of the caller's token) against
 * the provider in a running Keycloak, realm aauth-e2e (packages/keycloak-provider/src/test/resources/
 * realm-e2e.json names the three hosts by their fixed ports). scripts/test-keycloak.sh runs it with
 * AAUTH_MCP_KEYCLOAK_ISSUER set; without it (npm test) the suite is skipped.
 */
import express from 'express';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateSigningKey } from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession } from '@aauth-ts/agent';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { aauthClientTransport, aauthOf, delegatedFetch, mcpEndpoint } from '@aauth-ts/mcp';
import { host, type Host } from '../../agent/test/support/http.js';
import { driveInteraction } from '../../../conformance/support/consent-driver.js';

const ISSUER = process.env.AAUTH_MCP_KEYCLOAK_ISSUER?.replace(/\/+$/, '');
if (ISSUER === undefined) console.warn('MCP over Keycloak: skipped here; npm run test:keycloak runs it with AAUTH_MCP_KEYCLOAK_ISSUER set to its running Keycloak realm');
/** realm-e2e.json: the user, and the ports its clients (assistant, MCP server, downstream) are named by. */
const USER = { id: '6f1c2d4e-0000-4000-8000-00000000a11c', username: 'alice', password: 'alice-password' };
const PORTS = { assistant: 9311, mcp: 9312, downstream: 9313 } as const;

let assistantHost: Host;
let mcpHost: Host;
let downstream: Host;
let mcp: Client;

/** The JSON text of a tool result. */
function textOf(result: Awaited<ReturnType<Client['callTool']>>): unknown {
  const [first] = result.content as { type: string; text: string }[];
  return JSON.parse(first?.text ?? 'null') as unknown;
}

(ISSUER === undefined ? describe.skip : describe)('MCP over AAuth with Keycloak as the auth server (AAUTH_MCP_KEYCLOAK_ISSUER)', () => {
  const issuer = ISSUER ?? '';

  beforeAll(async () => {
    [assistantHost, mcpHost, downstream] = await Promise.all([host(PORTS.assistant), host(PORTS.mcp), host(PORTS.downstream)]);

    // The downstream API: delegated tokens only; it answers with what it verified, and the token's raw `act`.
    const dmw = aauth({ resource: downstream.id, signingKey: generateSigningKey(), authServer: issuer, development: true });
    const dapp = express();
    dapp.use(dmw);
    dapp.get('/data', dmw.requireAuth({ scope: 'data:read', delegated: { only: true } }), (req, res) => {
      const { aauth: info } = req as AAuthRequest;
      res.json({ delegation: info.delegation ?? null, act: info.act ?? null, tokenType: info.tokenType ?? null });
    });
    dapp.use(aauthErrorHandler());
    downstream.use(dapp);

    // The MCP server: a resource (its endpoint) and an agent (for its downstream calls).
    const mcpAgent = new AgentServer({ identifier: mcpHost.id, development: true, jwksPath: '/.well-known/agent-jwks.json' });
    const onward = new AAuthClient({ session: AgentSession.delegateOf(mcpAgent, { sub: 'mcp-1' }), development: true, authServers: [issuer] });
    const guard = aauth({ resource: mcpHost.id, signingKey: generateSigningKey(), authServer: issuer, development: true });
    const newServer = (): McpServer => {
      const server = new McpServer({ name: 'outlook-server', version: '1.0.0' });
      server.registerTool('outlook', { description: 'The outlook, from the downstream data', inputSchema: { region: z.string() } }, async ({ region }, extra) => {
        const caller = aauthOf(extra);
        const answer = await delegatedFetch(onward, extra)(`${downstream.id}/data`);
        const data = await answer.json() as unknown;
        return { content: [{ type: 'text', text: JSON.stringify({ region, caller: { agent: caller.agent ?? null, sub: caller.sub ?? null, scopes: caller.scopes }, downstream: { status: answer.status, data } }) }] };
      });
      server.registerTool('admin_reset', { description: 'Needs a scope the assistant never gets' }, () => ({ content: [{ type: 'text', text: 'reset' }] }));
      return server;
    };
    const app = express();
    app.use(mcpAgent.router());
    app.use(guard);
    app.all('/mcp', mcpEndpoint({
      guard,
      server: newServer,
      tools: { outlook: { scope: 'tools:outlook' }, admin_reset: { scope: 'tools:admin', stepUp: false } },
    }));
    app.use(aauthErrorHandler());
    mcpHost.use(app);

    // The assistant: consent-required in the realm, so the user approves it through Keycloak's login page.
    const assistantAgent = new AgentServer({ identifier: assistantHost.id, development: true });
    assistantHost.use(assistantAgent.router());
    const assistant = new AAuthClient({
      session: AgentSession.delegateOf(assistantAgent, { sub: 'assistant-1' }), development: true, authServers: [issuer], minPollIntervalMs: 200,
      onInteraction: async ({ code }) => { await driveInteraction('keycloak', `${issuer}/protocol/aauth/interact`, code, USER, 'approve'); },
    });
    mcp = new Client({ name: 'assistant', version: '1.0.0' });
    await mcp.connect(aauthClientTransport(assistant, `${mcpHost.id}/mcp`));
  }, 60_000);

  afterAll(async () => {
    await mcp?.close();
    await Promise.all([assistantHost, mcpHost, downstream].map((h) => h?.close()));
  });

  it('lists the tools through AAuth', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['admin_reset', 'outlook']);
  });

  it('calls a tool: Keycloak issues the tool\'s scope for the user, and the downstream token (issued by Keycloak by exchange) has sub = the user, act = MCP server ← assistant', async () => {
    const result = await mcp.callTool({ name: 'outlook', arguments: { region: 'emea' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toEqual({
      region: 'emea',
      caller: { agent: assistantHost.id, sub: USER.id, scopes: ['tools:outlook'] },
      downstream: {
        status: 200,
        data: {
          delegation: { issuer, subject: USER.id, act: [mcpHost.id, assistantHost.id], scope: ['data:read'] },
          act: { sub: mcpHost.id, act: { sub: assistantHost.id } },
          tokenType: 'delegated',
        },
      },
    });
  }, 60_000);

  it('a call without the tool\'s scope is refused: 403 insufficient_scope', async () => {
    // The assistant holds Keycloak's auth token for tools:outlook; admin_reset needs tools:admin (no step-up).
    await mcp.callTool({ name: 'outlook', arguments: { region: 'apac' } });
    const refused = await mcp.callTool({ name: 'admin_reset', arguments: {} }).then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect((refused as StreamableHTTPError).code).toBe(403);
    expect((refused as Error).message).toContain('insufficient_scope');
  });
});
