/**
 * The AAuth view of an MCP caller in the SDK's `AuthInfo` (what a tool handler receives as
 * `extra.authInfo`): the SDK's own fields filled from the verified request, and the whole
 * `AAuthContext` under `extra.aauth` (the key `AUTH_INFO_KEY`), delegation chain included.
 */
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { AAuthError } from '@aauth-ts/core';
import type { AAuthContext } from '@aauth-ts/resource';

/** Where the `AAuthContext` sits in `authInfo.extra`. */
export const AUTH_INFO_KEY = 'aauth'; // wire-literal-ok: a key of the SDK's in-process AuthInfo.extra, as req.aauth

/** `AuthInfo` for a verified request: `clientId` is the agent (or the key thumbprint of a pseudonymous caller). */
export function authInfoOf(context: AAuthContext, resource: string): AuthInfo {
  const exp = context.claims?.exp;
  return {
    token: context.authToken ?? '',
    clientId: context.agent ?? context.thumbprint,
    scopes: [...context.scopes],
    ...(typeof exp === 'number' ? { expiresAt: exp } : {}),
    resource: new URL(resource),
    extra: { [AUTH_INFO_KEY]: context },
  };
}

/** The shape of a tool handler's `extra` this package reads. */
export interface WithAuthInfo {
  readonly authInfo?: AuthInfo | undefined;
}

/**
 * The verified caller of a tool handler (`extra` is the handler's second argument). Throws when
 * the handler runs outside `mcpEndpoint` (no AAuth view): a wiring mistake, never a caller's.
 */
export function aauthOf(extra: WithAuthInfo): AAuthContext {
  const context = extra.authInfo?.extra?.[AUTH_INFO_KEY];
  if (typeof context !== 'object' || context === null) throw new TypeError('aauthOf: no AAuth caller in extra.authInfo; serve the MCP server through mcpEndpoint()');
  return context as AAuthContext;
}

/**
 * The token the caller presented, as the `subject_token` of an onward exchange. A caller who
 * presented none (a signed request alone) cannot be acted for: `403 access_denied`.
 */
export function subjectTokenOf(extra: WithAuthInfo): string {
  const token = aauthOf(extra).authToken;
  if (token === undefined) throw new AAuthError('access_denied', 'the caller presented no auth token, so no one can act for it downstream', { reason: 'no_subject_token' }, { status: 403 });
  return token;
}
