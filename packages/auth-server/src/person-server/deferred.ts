/**
 * Deferred responses of the Person Server (draft-hardt-oauth-aauth-protocol §Deferred Responses,
 * §Interaction Required): `202` with `Location` (the pending URL), `Retry-After`, `Cache-Control:
 * no-store`, `AAuth-Requirement: requirement=interaction; url=…; code=…` while the person has not
 * opened the code, and `{"status": "pending"}` (`"interacting"` once they have).
 */
import { AAUTH_CURRENT, serializeRequirement } from '@aauth-ts/core';
import { ENDPOINT_PATHS, type AuthServerContext } from '../context.js';
import type { PendingRequest } from '../stores/pending-store.js';
import type { EndpointResponse } from '../token/response.js';
import { psError } from './errors.js';
import type { PersonServerState, PsGrant } from './state.js';

const H = AAUTH_CURRENT.headers;
const D = AAUTH_CURRENT.deferred;

export function pendingUrl(ctx: AuthServerContext, id: string): string {
  return `${ctx.issuer()}${ENDPOINT_PATHS.psPending}/${id}`;
}

export function deferredAnswer(ctx: AuthServerContext, entry: PendingRequest<PsGrant>, retryAfter: number, extraHeaders: Readonly<Record<string, string>> = {}): EndpointResponse {
  const headers: Record<string, string> = { [H.location]: pendingUrl(ctx, entry.id), [H.retryAfter]: String(retryAfter), [H.cacheControl]: 'no-store', ...extraHeaders };
  if (entry.status === 'pending') {
    headers[H.requirement] = serializeRequirement({ requirement: 'interaction', url: `${ctx.issuer()}${ENDPOINT_PATHS.psInteraction}`, code: entry.code }, { allowLoopbackHttp: ctx.realm.settings.allowLoopback });
  }
  return { status: 202, headers, body: { [D.status]: entry.status === 'pending' ? D.pending : D.interacting } };
}

/**
 * Put `grant` before the person. An agent that declared `capabilities` without `interaction`
 * cannot take the person to the interaction page, and this server has no other channel to them:
 * `user_unreachable` (§Token Endpoint Error Codes), terminal.
 */
export async function defer(ctx: AuthServerContext, ps: PersonServerState, jkt: string, grant: PsGrant, capabilities: readonly string[] | undefined): Promise<EndpointResponse> {
  if (capabilities !== undefined && !capabilities.includes(AAUTH_CURRENT.capabilities[0])) {
    psError('user_unreachable', 'the person must be asked, this server can reach them only through its interaction page, and the agent did not declare the "interaction" capability');
  }
  const entry = await ps.pending.create({ jkt, grant, purpose: grant.justification, loginHint: undefined, lifetimeSeconds: ctx.realm.settings.pendingLifespan }, ctx.now());
  if (entry === 'full' || entry === 'agent_full') {
    psError('server_error', entry === 'full' ? 'too many requests are waiting for a person; retry shortly' : 'this agent has too many requests waiting for a person; retry shortly', { status: 503, headers: { 'Retry-After': '5' } });
  }
  return deferredAnswer(ctx, entry, 0);
}
