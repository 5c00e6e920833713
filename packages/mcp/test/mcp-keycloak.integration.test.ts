/**
 * MCP over AAuth with Keycloak as the auth server: the flow of mcp-aauth.integration.test.ts (an
 * assistant the user approved calls an MCP tool; the tool calls a downstream route that takes
 * delegated tokens only, answering its challenge by RFC 8693 exchange of the caller's token) against
 * the provider in a running Keycloak, realm aauth-e2e (packages/keycloak-provider/src/test/resources/
 * realm-e2e.json names the three hosts by their fixed ports). scripts/test-keycloak.sh runs it with
 * AAUTH_MCP_KEYCLOAK_ISSUER set; without it (npm test) the suite is skipped.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { host, type Host } from '../../agent/test/support/http.js';
import { connectAssistant, serveDownstream, serveMcp, textOf } from './helpers/mcp-world.js';

const ISSUER = process.env.AAUTH_MCP_KEYCLOAK_ISSUER?.replace(/\/+$/, '');
if (ISSUER === undefined) console.warn('MCP over Keycloak: skipped here; npm run test:keycloak runs it with AAUTH_MCP_KEYCLOAK_ISSUER set to its running Keycloak realm');
/** realm-e2e.json: the user, and the ports its clients (assistant, MCP server, downstream) are named by. */
const USER = { id: '6f1c2d4e-0000-4000-8000-00000000a11c', username: 'alice', password: 'alice-password' };
const PORTS = { assistant: 9311, mcp: 9312, downstream: 9313 } as const;

let assistantHost: Host;
let mcpHost: Host;
let downstream: Host;
let mcp: Client;

(ISSUER === undefined ? describe.skip : describe)('MCP over AAuth with Keycloak as the auth server (AAUTH_MCP_KEYCLOAK_ISSUER)', () => {
  const issuer = ISSUER ?? '';

  beforeAll(async () => {
    [assistantHost, mcpHost, downstream] = await Promise.all([host(PORTS.assistant), host(PORTS.mcp), host(PORTS.downstream)]);
    // The downstream API answers with what it verified, and the token's raw `act`.
    serveDownstream(downstream, issuer, (aauth) => ({ delegation: aauth.delegation ?? null, act: aauth.act ?? null, tokenType: aauth.tokenType ?? null }));
    serveMcp(mcpHost, downstream, issuer);
    // The assistant is consent-required in the realm, so the user approves it through Keycloak's login page.
    mcp = await connectAssistant(assistantHost, mcpHost, issuer, { consent: 'keycloak', user: USER, minPollIntervalMs: 200 });
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
