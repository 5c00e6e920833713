/**
 * `GET|POST {issuer}/protocol/aauth/pending/{id}` (2026-03 §Deferred Responses; auth-server
 * contract "Polling"). Every request is signed and re-authenticated; only the key that made the
 * token request may poll (`403 access_denied` otherwise). Answers: `202` while waiting (always
 * `status: "pending"` and `location`; `require` and `code` until the code is opened), `200 {auth_token,
 * expires_in}` once approved, `403 denied`, `403 abandoned` (the code was opened but the request
 * expired undecided), `408 expired` (never opened), `410 invalid_code` (the code was presented
 * again); after a terminal answer the URL is gone (`404 invalid_request`). `Prefer: wait=N` holds
 * the poll until the user decides, at most `aauth.maxPollWait` seconds.
 */
import { AAuthError, MalformedError, PROFILE, formatPreferWait, parsePreferWait, serializeChallenge, type DecisionSubject } from '@aauth-ts/core';
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
  const caller = await authenticateRequest(request, { realm: ctx.realm, issuer: ctx.issuer(), keys: ctx.discovery, agentTokens: ctx.agentTokens, now });
  const entry = await ctx.pending.get(id);
  if (!entry) gone();
  if (entry.jkt !== caller.jkt) {
    throw new AAuthError('access_denied', 'this pending request belongs to another key', { field: 'signature-key', reason: 'key_mismatch' });
  }
  return entry;
}

/**
 * The body and headers of every 202 for `entry` (§Deferred Responses "Pending Response"): status
 * always `"pending"`, `location` echoing `Location`; while the code is unopened also `require` and
 * `code` with the `AAuth` header, exactly as the token endpoint's 202 said.
 */
export function pendingAnswer(ctx: AuthServerContext, entry: PendingRequest, retryAfter: number, extraHeaders: Readonly<Record<string, string>> = {}): EndpointResponse {
  const h = PROFILE.headers;
  const location = `${endpointUrls(ctx.issuer()).pending}/${entry.id}`;
  const headers: Record<string, string> = { [h.location]: location, [h.retryAfter]: String(retryAfter), [h.cacheControl]: 'no-store', ...extraHeaders };
  if (entry.status !== 'pending') return { status: 202, headers, body: { status: 'pending', location } };
  headers[h.challenge] = serializeChallenge({ require: 'interaction', code: entry.code });
  return { status: 202, headers, body: { status: 'pending', location, require: 'interaction', code: entry.code } };
}

/**
 * The terminal answer for `entry` at `now`, or undefined while it is still waiting. `headers` go on
 * a token answer (`Preference-Applied` after a held poll); errors carry none, as on Keycloak.
 */
async function terminal(ctx: AuthServerContext, entry: PendingRequest, now: number, headers: Readonly<Record<string, string>>): Promise<EndpointResponse | undefined> {
  // Each terminal answer is given once: polls racing on this or another instance find the request gone.
  const end = async (code: 'denied' | 'abandoned' | 'expired' | 'invalid_code', message: string): Promise<never> => {
    if (!(await ctx.pending.take(entry))) gone();
    throw new AAuthError(code, message, { reason: code });
  };
  switch (entry.status) {
    case 'approved': {
      if (!(await ctx.pending.take(entry))) gone();
      const g = entry.grant;
      // The user approved between the token request and this poll: now is the latest it can have been.
      const issued = await issueAuthToken(ctx, { aud: g.aud, agent: g.agent, cnfJwk: g.cnfJwk, sub: entry.sub, scopes: g.scopes, txn: g.txn, authTime: now }, now);
      return { ...issued, headers: { ...issued.headers, ...headers } };
    }
    case 'denied':
      return end('denied', 'the user denied the request');
    case 'code_reused':
      return end('invalid_code', 'the interaction code was presented again after it had been used; start a new request');
    default:
      if (entry.expiresAt > now) return undefined;
      // §Polling Error Codes: `abandoned` when the code was used but the user never decided,
      // `expired` when the code was never used.
      return entry.status === 'interacting'
        ? end('abandoned', 'the user opened the interaction but did not decide before the request expired')
        : end('expired', 'the request expired before the user answered');
  }
}

/** `about` is filled in with the pending request's grant, for the decision log line. */
export async function handlePoll(ctx: AuthServerContext, request: IncomingRequest, id: string, about: DecisionSubject, signal?: AbortSignal): Promise<EndpointResponse> {
  const entry = await authorizedEntry(ctx, request, id, ctx.now());
  Object.assign(about, { agent: entry.grant.agent, resource: entry.grant.aud === entry.grant.agent ? undefined : entry.grant.aud, scope: entry.grant.scopes, user: entry.sub });
  const done = await terminal(ctx, entry, ctx.now(), {});
  if (done) return done;
  // RFC 7240 §4.3: hold while nothing is decided, up to the realm's maximum and the request's end.
  const asked = parsePreferWait(request.headers[PROFILE.headers.prefer.toLowerCase()]);
  const settings = ctx.realm.settings;
  const wait = asked === undefined ? 0 : Math.min(asked, settings.maxPollWait, Math.max(0, entry.expiresAt - ctx.now()));
  if (wait === 0 || !(await ctx.pending.hold(entry.id, wait * 1000, settings.maxHeldPolls, signal))) {
    return pendingAnswer(ctx, entry, 1);
  }
  const applied = { [PROFILE.headers.preferenceApplied]: formatPreferWait(wait) };
  const now = await ctx.pending.get(entry.id);
  if (!now) gone();
  return (await terminal(ctx, now, ctx.now(), applied)) ?? pendingAnswer(ctx, now, 0, applied);
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
