/**
 * `GET|POST {issuer}/protocol/aauth/pending/{id}` (2026-03 §Polling; auth-server contract
 * "Responses"). Every request is signed and re-authenticated; only the key that made the token
 * request may poll (`403 access_denied` otherwise). Answers: `202 {status}` while waiting,
 * `200 {auth_token, expires_in}` once approved, `403 denied`, `408 expired`; after a terminal
 * answer the URL is gone (`404 invalid_request`).
 */
import { AAuthError, MalformedError, PROFILE, type DecisionSubject } from '@aauth-ts/core';
import { endpointUrls, type AuthServerContext } from '../context.js';
import { authenticateRequest } from '../request/authenticate.js';
import type { IncomingRequest } from '../request/types.js';
import type { PendingRequest } from '../stores/pending-store.js';
import { issueAuthToken } from './issue-auth-token.js';
import type { EndpointResponse } from './response.js';

function gone(): never {
  throw new AAuthError('invalid_request', 'no such pending request (unknown, or already answered)', { reason: 'unknown_pending' }, { status: 404 });
}

async function authorizedEntry(ctx: AuthServerContext, request: IncomingRequest, id: string, now: number): Promise<PendingRequest> {
  const caller = await authenticateRequest(request, { realm: ctx.realm, issuer: ctx.issuer(), keys: ctx.discovery, now });
  const entry = ctx.pending.get(id);
  if (!entry) gone();
  if (entry.jkt !== caller.jkt) {
    throw new AAuthError('access_denied', 'this pending request belongs to another key', { field: 'signature-key', reason: 'key_mismatch' });
  }
  return entry;
}

/** `about` is filled in with the pending request's grant, for the decision log line. */
export async function handlePoll(ctx: AuthServerContext, request: IncomingRequest, id: string, about: DecisionSubject): Promise<EndpointResponse> {
  const now = ctx.now();
  const entry = await authorizedEntry(ctx, request, id, now);
  Object.assign(about, { agent: entry.grant.agent, resource: entry.grant.aud === entry.grant.agent ? undefined : entry.grant.aud, scope: entry.grant.scopes, user: entry.sub });
  const h = PROFILE.headers;
  if (entry.status === 'approved') {
    ctx.pending.delete(id);
    const g = entry.grant;
    // The user approved between the token request and this poll: now is the latest it can have been.
    return issueAuthToken(ctx, { aud: g.aud, agent: g.agent, cnfJwk: g.cnfJwk, sub: entry.sub, scopes: g.scopes, txn: g.txn, authTime: now }, now);
  }
  if (entry.status === 'denied') {
    ctx.pending.delete(id);
    throw new AAuthError('denied', 'the user denied the request', { reason: 'denied' });
  }
  if (entry.expiresAt <= now) {
    ctx.pending.delete(id);
    throw new AAuthError('expired', 'the request expired before the user answered', { reason: 'expired' });
  }
  // Every 202 names where to poll (the same URL), so a client can treat all 202s alike.
  const location = `${endpointUrls(ctx.issuer()).pending}/${entry.id}`;
  return { status: 202, headers: { [h.location]: location, [h.retryAfter]: '1', [h.cacheControl]: 'no-store' }, body: { status: entry.status } };
}

/**
 * `POST {pending}` with `{"clarification_response": "…"}`. This server never asks a clarification
 * question, so a response is always out of place (`invalid_request`) — but only after the caller
 * has proved it owns the request.
 */
export async function handlePendingPost(ctx: AuthServerContext, request: IncomingRequest, id: string): Promise<EndpointResponse> {
  const now = ctx.now();
  await authorizedEntry(ctx, request, id, now);
  throw new MalformedError('invalid_request', `no clarification was requested; "${PROFILE.tokenRequest.clarificationResponse}" is not expected`, undefined, { reason: 'unexpected' });
}
