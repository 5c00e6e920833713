/**
 * MCP over AAuth end to end on loopback, with the SDK's own client and server: an assistant agent
 * (the user approved it once) lists and calls the tools of an MCP server whose streamable-HTTP
 * endpoint sits behind `aauth()`; the `outlook` tool calls a downstream API with a token obtained
 * by exchange of the caller's token, and the downstream route (`requireAuth({ delegated })`) sees
 * the chain MCP server ← assistant. Refusals stay precise 4xx: a tool's scope missing, an unsigned
 * or malformed request, an unknown tool, a method a stateless endpoint does not take.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateSigningKey, signRequest } from '@aauth-ts/core';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { host, type Host } from '../../agent/test/support/http.js';
import { connectAssistant, serveDownstream, serveMcp, textOf } from './helpers/mcp-world.js';

const USER = { id: 'c0ffee00-0000-4000-8000-0000000000dc', username: 'mia', password: 'mia-password' };

let authServer: AuthServer;
let issuer: string;
let assistantHost: Host;
let mcpHost: Host;
let downstream: Host;
let mcp: Client;

beforeAll(async () => {
  [assistantHost, mcpHost, downstream] = await Promise.all([host(), host(), host()]);
  authServer = createAuthServer({
    log: () => undefined,
    realm: {
      realm: 'mcp',
      attributes: { 'aauth.allowLoopback': 'true' },
      users: [{ id: USER.id, username: USER.username, credentials: [{ type: 'password', value: USER.password }] }],
      clientScopes: [
        { name: 'tools:outlook', attributes: { 'aauth.resource': mcpHost.id } },
        { name: 'tools:admin', attributes: { 'aauth.resource': mcpHost.id } },
        { name: 'data:read', attributes: { 'aauth.resource': downstream.id } },
      ],
      clients: [
        { clientId: assistantHost.id, consentRequired: true, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['tools:outlook'] },
        { clientId: mcpHost.id, attributes: { 'aauth.resource': 'true', 'aauth.agent': 'true', 'aauth.chainScopes': '["data:read"]' }, optionalClientScopes: ['data:read'] },
        { clientId: downstream.id, attributes: { 'aauth.resource': 'true' } },
      ],
    },
  });
  ({ issuer } = await authServer.listen(0));
  // The downstream API answers with the chain it saw.
  serveDownstream(downstream, issuer, (aauth) => ({ delegation: aauth.delegation ?? null, figures: [3, 1, 4] }));
  serveMcp(mcpHost, downstream, issuer);
  mcp = await connectAssistant(assistantHost, mcpHost, issuer, { consent: 'embedded', user: USER, minPollIntervalMs: 20 });
});

afterAll(async () => {
  await mcp?.close();
  await authServer.close();
  await Promise.all([assistantHost, mcpHost, downstream].map((h) => h.close()));
});

/** A POST to the MCP endpoint signed with a fresh pseudonymous key (`hwk`), carrying `body` as is. */
function signedPost(body: string): Promise<Response> {
  const url = `${mcpHost.id}/mcp`;
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const bytes = new TextEncoder().encode(body);
  const signed = signRequest({ method: 'POST', url, headers, body: bytes }, { key: generateSigningKey(), signatureKey: { scheme: 'hwk' } });
  return fetch(url, { method: 'POST', headers: { ...headers, ...signed }, body: bytes });
}

describe('an MCP server behind aauth() (mcpEndpoint), called through aauthClientTransport', () => {
  it('lists the tools: any signed caller may', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['admin_reset', 'outlook']);
  });

  it('calls a tool: the challenge for its scope is answered, the handler sees the caller, and the downstream token\'s act is [MCP server, assistant]', async () => {
    const result = await mcp.callTool({ name: 'outlook', arguments: { region: 'emea' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toEqual({
      region: 'emea',
      caller: { agent: assistantHost.id, sub: USER.id, scopes: ['tools:outlook'] },
      downstream: { status: 200, data: { delegation: { issuer, subject: USER.id, act: [mcpHost.id, assistantHost.id], scope: ['data:read'] }, figures: [3, 1, 4] } },
    });
  });

  it('a call without the tool\'s scope is refused like a route: 403 insufficient_scope', async () => {
    await mcp.callTool({ name: 'outlook', arguments: { region: 'apac' } });
    const refused = await mcp.callTool({ name: 'admin_reset', arguments: {} }).then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect((refused as StreamableHTTPError).code).toBe(403);
    expect((refused as Error).message).toContain('insufficient_scope');
  });
});

describe('bad MCP requests get a precise 4xx, never a 500', () => {
  const listTools = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

  it('unsigned → 401 require=pseudonym', async () => {
    const res = await fetch(`${mcpHost.id}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: listTools });
    expect(res.status).toBe(401);
    expect(res.headers.get('aauth')).toMatch(/^require=pseudonym/);
  });

  it('signed, but not JSON → 400 invalid_request', async () => {
    const res = await signedPost('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('not JSON') });
  });

  it('signed tools/call naming no tool → 400 invalid_request', async () => {
    const res = await signedPost(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { arguments: {} } }));
    expect(res.status).toBe(400);
    expect((await res.json()).error_description).toContain('names no tool');
  });

  it('signed tools/call of a tool with no protection → 404 invalid_request', async () => {
    const res = await signedPost(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'format_disk', arguments: {} } }));
    expect(res.status).toBe(404);
    expect((await res.json()).error_description).toContain('unknown tool "format_disk"');
  });

  it('a pseudonymous caller calling a tool → 401 require=identity, as requireAuth() on a route answers it', async () => {
    const res = await signedPost(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'outlook', arguments: { region: 'emea' } } }));
    expect(res.status).toBe(401);
    expect(res.headers.get('aauth')).toBe('require=identity');
  });

  it('GET (an event stream) on the stateless endpoint → 405 with Allow: POST', async () => {
    const res = await fetch(`${mcpHost.id}/mcp`, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
