/**
 * What an MCP POST body asks for, read before the SDK sees it so the endpoint can pick the AAuth
 * requirement: the tools it calls (`tools/call`, MCP 2025-06-18 §Tools "Calling Tools"). The body
 * is JSON-RPC 2.0 (one message, or a batch array); anything else is refused with a precise 400
 * rather than handed on.
 */
import { AAuthError } from '@aauth-ts/core';

/** The JSON-RPC method of a tool call (MCP §Tools). */
export const TOOLS_CALL = 'tools/call';

export interface ParsedMessages {
  /** The messages as parsed, handed to the SDK's transport unchanged (it validates them fully). */
  readonly body: unknown;
  /** Names of the tools the body calls, in order. */
  readonly toolCalls: readonly string[];
}

function malformed(message: string): AAuthError {
  return new AAuthError('invalid_request', message, { reason: 'malformed' }, { status: 400 });
}

function toolOf(message: unknown, index: number): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw malformed(`JSON-RPC message ${index} is not an object`);
  const { method, params } = message as { method?: unknown; params?: unknown };
  if (method !== TOOLS_CALL) return undefined;
  const name = typeof params === 'object' && params !== null ? (params as { name?: unknown }).name : undefined;
  if (typeof name !== 'string' || name.length === 0) throw malformed(`${TOOLS_CALL} (message ${index}) names no tool: params.name must be a non-empty string`);
  return name;
}

/** Parse the raw body (as `aauth()` kept it) and list the tools it calls. */
export function parseMessages(raw: Buffer | undefined): ParsedMessages {
  if (raw === undefined || raw.length === 0) throw malformed('an MCP POST carries a JSON-RPC message; the body is empty');
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw malformed('the body is not JSON (an MCP POST carries a JSON-RPC message)');
  }
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0) throw malformed('an empty JSON-RPC batch');
  const toolCalls = messages.map(toolOf).filter((name): name is string => name !== undefined);
  return { body, toolCalls };
}
