/**
 * The parties of the MCP-over-AAuth integration tests, whatever the auth server (embedded or
 * Keycloak): a downstream API that takes delegated tokens only, an MCP server whose `outlook` tool
 * calls it by exchange of the caller's token, and an assistant that connects to the MCP server
 * through `aauthClientTransport`, its user approving it on the auth server's consent page.
 */
import express from 'express';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { generateSigningKey } from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession } from '@aauth-ts/agent';
import { aauth, aauthErrorHandler, type AAuthContext, type AAuthRequest } from '@aauth-ts/resource';
import { aauthClientTransport, aauthOf, delegatedFetch, mcpEndpoint } from '@aauth-ts/mcp';
import type { Host } from '../../../agent/test/support/http.js';
import { driveInteraction } from '../../../../conformance/support/consent-driver.js';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly password: string;
}

/** The downstream API at `downstream`: `GET /data` for delegated tokens only, answered with `answer(what it verified)`. */
export function serveDownstream(downstream: Host, issuer: string, answer: (aauth: AAuthContext) => unknown): void {
  const guard = aauth({ resource: downstream.id, signingKey: generateSigningKey(), authServer: issuer, development: true });
  const app = express();
  app.use(guard);
  app.get('/data', guard.requireAuth({ scope: 'data:read', delegated: { only: true } }), (req, res) => {
    res.json(answer((req as AAuthRequest).aauth));
  });
  app.use(aauthErrorHandler());
  downstream.use(app);
}

/**
 * The MCP server at `mcpHost`: a resource (its endpoint, tools `outlook` for `tools:outlook` and
 * `admin_reset` for `tools:admin` without step-up) and an agent (for its calls to `downstream`).
 */
export function serveMcp(mcpHost: Host, downstream: Host, issuer: string): void {
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
}

export interface AssistantOptions {
  /** Whose consent page the user approves the assistant on. */
  readonly consent: Parameters<typeof driveInteraction>[0];
  readonly user: User;
  readonly minPollIntervalMs: number;
}

/** The assistant agent at `assistantHost`, connected as an MCP client to `mcpHost`'s endpoint. */
export async function connectAssistant(assistantHost: Host, mcpHost: Host, issuer: string, options: AssistantOptions): Promise<Client> {
  const agent = new AgentServer({ identifier: assistantHost.id, development: true });
  assistantHost.use(agent.router());
  const assistant = new AAuthClient({
    session: AgentSession.delegateOf(agent, { sub: 'assistant-1' }), development: true, authServers: [issuer], minPollIntervalMs: options.minPollIntervalMs,
    onInteraction: async ({ code }) => { await driveInteraction(options.consent, `${issuer}/protocol/aauth/interact`, code, options.user, 'approve'); },
  });
  const mcp = new Client({ name: 'assistant', version: '1.0.0' });
  await mcp.connect(aauthClientTransport(assistant, `${mcpHost.id}/mcp`));
  return mcp;
}

/** The JSON text of a tool result. */
export function textOf(result: Awaited<ReturnType<Client['callTool']>>): unknown {
  const [first] = result.content as { type: string; text: string }[];
  return JSON.parse(first?.text ?? 'null') as unknown;
}
