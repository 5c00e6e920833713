/**
 * A tool calling a downstream API for its caller: `fetch` through the MCP server's own AAuth client
 * bound to the caller's token (`forUpstream`). When the downstream route asks for a delegated token
 * (`401 require=delegated-token`), the client exchanges that token (RFC 8693 §2, subject token =
 * the token the MCP server received) at the auth server the challenge names, so the downstream
 * token's `act` names the MCP server outermost, then every earlier actor of the caller's token.
 */
import type { AAuthClient, AAuthRequestInit } from '@aauth-ts/agent';
import { subjectTokenOf, type WithAuthInfo } from './auth-info.js';

export type DownstreamFetch = (input: string | URL | Request, init?: AAuthRequestInit) => Promise<Response>;

/** `fetch` for a tool handler's downstream calls on behalf of the caller of `extra`. */
export function delegatedFetch(client: AAuthClient, extra: WithAuthInfo): DownstreamFetch {
  const bound = client.forUpstream(subjectTokenOf(extra));
  return (input, init) => bound.fetch(input, init);
}
