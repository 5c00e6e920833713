/**
 * An MCP server's streamable-HTTP endpoint (MCP 2025-06-18 §Transports "Streamable HTTP") behind
 * the AAuth resource middleware, in the SDK's stateless mode: each POST gets a fresh MCP server and
 * `StreamableHTTPServerTransport`, so nothing but the request itself decides who may do what.
 *
 * The requirement is picked from the JSON-RPC body `aauth()` has verified (its `Content-Digest`
 * binds the bytes to the signature): every message needs a signed request (`requireSignature`:
 * `initialize`, `tools/list` and notifications are open to any signed caller), and a `tools/call`
 * needs what `requireAuth({ scope })` of that tool needs, with the same challenge or refusal a
 * route would give (a token lacking the scope is answered `401 require=auth-token` for the tool's
 * scope, or `require=delegated-token` when the tool takes only delegated tokens). A tool with no
 * protection named here cannot be called (404): a tool is closed until it is given a scope.
 *
 * The verified caller reaches the tool handler through the SDK's `extra.authInfo`, with the
 * `AAuthContext` under `authInfo.extra.aauth` (`aauthOf(extra)`).
 */
import type { Request, RequestHandler, Response } from 'express';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AAuthError } from '@aauth-ts/core';
import type { AAuthContext, AAuthMiddleware, DelegatedRouteOptions } from '@aauth-ts/resource';
import { authInfoOf } from './auth-info.js';
import { parseMessages } from './json-rpc-calls.js';

/** How one tool is protected: what `requireAuth` of a route with that tool's work would ask. */
export interface ToolProtection {
  /** Scopes the caller's token must grant to call the tool: an array, or space-separated. */
  readonly scope: string | readonly string[];
  /** Take RFC 8693 delegated tokens for this tool too (or only them); see `requireAuth({ delegated })`. */
  readonly delegated?: DelegatedRouteOptions;
  /** A token lacking the scope: `true` (default) challenges for it, `false` answers `403 insufficient_scope`. */
  readonly stepUp?: boolean;
}

export interface McpEndpointOptions {
  /** The resource's `aauth()` middleware, mounted before this endpoint. */
  readonly guard: AAuthMiddleware;
  /**
   * A new MCP server for one request (stateless mode), with its tools registered; it is closed
   * when the response ends. The verified caller is passed for servers whose tool list depends on it.
   */
  readonly server: (caller: AAuthContext) => McpServer | Server;
  /** Every callable tool by name, with its protection. */
  readonly tools: Readonly<Record<string, ToolProtection>>;
}

type Handler = (req: Request, res: Response) => Promise<void>;

/** Run an express middleware as a step: resolves when it calls `next()`, rejects with its error. */
function step(handler: RequestHandler): Handler {
  return (req, res) => new Promise<void>((resolve, reject) => {
    void handler(req, res, (err?: unknown) => (err === undefined || err === null ? resolve() : reject(err instanceof Error ? err : new Error(String(err)))));
  });
}

/** MCP streamable HTTP also defines GET (a server-sent event stream) and DELETE (end a session); a stateless server has neither. */
function postOnly(): AAuthError {
  return new AAuthError('invalid_request', 'this MCP endpoint is stateless: it takes POST only (no event stream, no sessions)', { reason: 'method' }, { status: 405, headers: { Allow: 'POST' } });
}

/**
 * The endpoint's handler: mount it on the MCP path after `aauth()` (e.g. `app.all('/mcp',
 * mcpEndpoint({...}))`) and before `aauthErrorHandler()`, which answers its refusals.
 */
export function mcpEndpoint(options: McpEndpointOptions): RequestHandler {
  const { guard, server, tools } = options;
  if (typeof server !== 'function') throw new TypeError('mcpEndpoint: "server" must be a function returning a new MCP server');
  const signed = step(guard.requireSignature());
  const perTool = new Map<string, Handler>(Object.entries(tools).map(([name, protection]) => [name, step(guard.requireAuth({
    scope: protection.scope,
    ...(protection.delegated === undefined ? {} : { delegated: protection.delegated }),
    ...(protection.stepUp === undefined ? {} : { stepUp: protection.stepUp }),
  }))]));

  const handle = async (req: Request, res: Response): Promise<void> => {
    if (req.method !== 'POST') throw postOnly();
    await signed(req, res);
    const caller = req.aauth;
    if (caller === undefined) throw new Error('mcpEndpoint: requireSignature() passed without a verified caller');
    const { body, toolCalls } = parseMessages(req.rawBody);
    // One tool per request, so one requirement (and one challenge) answers for the whole body.
    if (toolCalls.length > 1) throw new AAuthError('invalid_request', 'a JSON-RPC batch may call one tool at most: send each tools/call on its own', { reason: 'batch' }, { status: 400 });
    const [tool] = toolCalls;
    if (tool !== undefined) {
      const requirement = perTool.get(tool);
      if (requirement === undefined) throw new AAuthError('invalid_request', `unknown tool ${JSON.stringify(tool)}: this server names no scope for it`, { field: 'params.name', reason: 'unknown_tool' }, { status: 404 });
      await requirement(req, res);
    }
    const mcp = server(caller);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(Object.assign(req, { auth: authInfoOf(caller, guard.resource.options.resource) }), res, body);
  };

  return function aauthMcpEndpoint(req, res, next) {
    handle(req, res).catch(next);
  };
}
