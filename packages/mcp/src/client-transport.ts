/**
 * The MCP client side: the SDK's `StreamableHTTPClientTransport` whose `fetch` is an AAuth
 * client's, so every request (POST of a message, the GET the SDK tries for an event stream) is
 * signed and every AAuth challenge is answered (token, step-up for a tool's scope, delegated
 * token) before the SDK sees the response. A final refusal reaches the SDK as the HTTP error it is.
 */
import { StreamableHTTPClientTransport, type StreamableHTTPClientTransportOptions } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AAuthClient } from '@aauth-ts/agent';

/** Options of the SDK's transport; `fetch` and `authProvider` (OAuth) are AAuth's business here. */
export type AAuthTransportOptions = Omit<StreamableHTTPClientTransportOptions, 'fetch' | 'authProvider'>;

export function aauthClientTransport(client: AAuthClient, url: string | URL, options: AAuthTransportOptions = {}): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(url), { ...options, fetch: (input, init) => client.fetch(input, init) });
}
