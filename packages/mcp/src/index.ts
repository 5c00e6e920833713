/**
 * @aauth-ts/mcp — AAuth for MCP on `@modelcontextprotocol/sdk`: an MCP server's streamable-HTTP
 * endpoint behind the resource middleware with a scope per tool (`mcpEndpoint`), the caller in the
 * tool handler (`aauthOf(extra)`), downstream calls by token exchange so the server appears in the
 * downstream token's `act` (`delegatedFetch`), and a client transport that signs and answers
 * challenges (`aauthClientTransport`).
 */
export { mcpEndpoint } from './mcp-endpoint.js';
export type { McpEndpointOptions, ToolProtection } from './mcp-endpoint.js';
export { AUTH_INFO_KEY, aauthOf, authInfoOf, subjectTokenOf } from './auth-info.js';
export type { WithAuthInfo } from './auth-info.js';
export { delegatedFetch } from './delegated-fetch.js';
export type { DownstreamFetch } from './delegated-fetch.js';
export { aauthClientTransport } from './client-transport.js';
export type { AAuthTransportOptions } from './client-transport.js';
export { TOOLS_CALL, parseMessages } from './json-rpc-calls.js';
export type { ParsedMessages } from './json-rpc-calls.js';
