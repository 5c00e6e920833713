/**
 * `{issuer}/protocol/aauth/ps/pending/{id}` (draft-hardt-oauth-aauth-protocol §Deferred Responses,
 * §Polling Error Codes, §Agent Response to Clarification). Every request is signed, and only the
 * key that made the deferred request may use its URL (`403 access_denied`).
 *
 *  - `GET` polls: `202` while the person has not decided (`Prefer: wait=N` holds it, at most
 *    `aauth.maxPollWait` s); then the terminal answer once: the token, mission or completion on
 *    approval, `403 denied`, `403 abandoned` (the code was opened, the request expired undecided),
 *    `408 expired` (never opened), `410 invalid_code` (the code was opened a second time).
 *  - `DELETE` withdraws the request (`204`); the person's page then no longer shows it.
 *  - `POST` carries `{"action": …}`: this server never asks a clarification, so `clarification_response`
 *    and `updated_request` are out of place (`400 invalid_request`), as is any other action.
 *  After a terminal answer or a withdrawal the URL answers `410` for as long as the request could
 *  have lived, then `404`.
 */
import { AAUTH_CURRENT, formatPreferWait, parsePreferWait, type DecisionSubject } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import type { IncomingRequest } from '../request/types.js';
import type { Mission } from '../stores/mission-store.js';
import type { PendingRequest } from '../stores/pending-store.js';
import type { EndpointResponse } from '../token/response.js';
import { authenticateAgent } from './authenticate.js';
import { JsonBody } from './body.js';
import { deferredAnswer } from './deferred.js';
import { psError } from './errors.js';
import { issueAuthToken, issuePersonToken } from './issue.js';
import { activeMissionOf } from './missions.js';
import type { AuthTokenGrant, PersonServerState, PersonTokenGrant, PsGrant } from './state.js';
import { chainedMission } from './upstream.js';

/** How long an answered request's URL keeps saying `410` after the request's own end. */
const RETIRED_GRACE_SECONDS = 600;

async function ownedEntry(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest, id: string): Promise<PendingRequest<PsGrant>> {
  const caller = await authenticateAgent(ctx, ps, request);
  const entry = ps.pending.get(id);
  if (entry === undefined) {
    if (ps.pending.retired(id, ctx.now())) psError('invalid_request', 'this pending request has already been answered or withdrawn', { status: 410 });
    psError('invalid_request', 'no such pending request', { status: 404 });
  }
  if (entry.jkt !== caller.jkt) psError('access_denied', 'this pending request belongs to another key');
  return entry;
}

function retire(ctx: AuthServerContext, ps: PersonServerState, entry: PendingRequest<PsGrant>): void {
  ps.pending.retire(entry.id, Math.max(entry.expiresAt, ctx.now()) + RETIRED_GRACE_SECONDS);
}

/** The mission a token grant names, still active: the agent's own, or on a chained grant the upstream token's. */
function grantMission(ctx: AuthServerContext, ps: PersonServerState, grant: PersonTokenGrant | AuthTokenGrant): Mission | undefined {
  if (grant.upstream !== undefined) return chainedMission(ctx, ps, grant.upstream);
  return grant.missionS256 === undefined ? undefined : activeMissionOf(ctx, ps, grant.missionS256, grant.provider, grant.agent);
}

/** What the approved request yields. */
async function approvedAnswer(ctx: AuthServerContext, ps: PersonServerState, entry: PendingRequest<PsGrant>): Promise<Record<string, unknown>> {
  const grant = entry.grant;
  const userId = entry.sub as string;
  switch (grant.kind) {
    case 'person_token': {
      const mission = grantMission(ctx, ps, grant);
      return issuePersonToken(ctx, ps, { resource: grant.resource, userId, cnfJwk: grant.cnfJwk, mission, tenant: grant.tenant, agentExp: grant.agentExp, agent: grant.agent, subagent: grant.subagent, upstream: grant.upstream?.jti });
    }
    case 'auth_token': {
      const mission = grantMission(ctx, ps, grant);
      return issueAuthToken(ctx, ps, { resource: grant.resource, sub: grant.sub, scopes: grant.scopes, cnfJwk: grant.cnfJwk, mission, tenant: grant.tenant, agentExp: grant.agentExp, provider: grant.provider, userId });
    }
    case 'mission': {
      const mission = activeMissionOf(ctx, ps, grant.outcome.s256 ?? '', grant.provider, grant.agent);
      const personTokens: Record<string, string> = {};
      for (const resource of mission.approvedResources) {
        const issued = await issuePersonToken(ctx, ps, { resource, userId, cnfJwk: grant.cnfJwk, mission, tenant: undefined, agentExp: grant.agentExp, agent: grant.agent, subagent: undefined });
        personTokens[resource] = issued.person_token;
      }
      return { [R.s256]: mission.s256, [R.mission]: mission.blob, ...(mission.approvedResources.length === 0 ? {} : { [R.personTokens]: personTokens }) };
    }
    case 'completion':
      return { [R.s256]: grant.s256, [P.missionStatus]: AAUTH_CURRENT.missionStates[1], [P.terminationReason]: AAUTH_CURRENT.terminationReasons[0] };
  }
}

function terminal(ctx: AuthServerContext, ps: PersonServerState, entry: PendingRequest<PsGrant>, headers: Readonly<Record<string, string>>): Promise<EndpointResponse> | undefined {
  const now = ctx.now();
  const end = (code: 'denied' | 'abandoned' | 'expired' | 'invalid_code', detail: string): never => {
    retire(ctx, ps, entry);
    return psError(code, detail);
  };
  switch (entry.status) {
    case 'approved':
      retire(ctx, ps, entry);
      return approvedAnswer(ctx, ps, entry).then((body) => ({ status: 200, headers: { 'Cache-Control': 'no-store', ...headers }, body }));
    case 'denied':
      return end('denied', 'the person declined the request');
    case 'code_reused':
      return end('invalid_code', 'the interaction code was presented again after it had been used; start a new request');
    default:
      if (entry.expiresAt > now) return undefined;
      return entry.status === 'interacting'
        ? end('abandoned', 'the person opened the interaction but did not decide before the request expired')
        : end('expired', 'the request expired before the person answered');
  }
}

export async function handlePsPoll(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest, id: string, about: DecisionSubject, signal?: AbortSignal): Promise<EndpointResponse> {
  const entry = await ownedEntry(ctx, ps, request, id);
  about.agent = entry.grant.agent;
  if (entry.grant.kind === 'person_token' || entry.grant.kind === 'auth_token') about.resource = entry.grant.resource;
  if (entry.grant.kind === 'auth_token') about.scope = entry.grant.scopes;
  if (entry.grant.upstream !== undefined) about.upstreamJti = entry.grant.upstream.jti;
  about.user = entry.sub;
  const done = terminal(ctx, ps, entry, {});
  if (done) return done;
  const asked = parsePreferWait(request.headers[AAUTH_CURRENT.headers.prefer.toLowerCase()]);
  const settings = ctx.realm.settings;
  const wait = asked === undefined ? 0 : Math.min(asked, settings.maxPollWait, Math.max(0, entry.expiresAt - ctx.now()));
  if (wait === 0 || !(await ps.pending.hold(entry.id, wait * 1000, settings.maxHeldPolls, signal))) return deferredAnswer(ctx, entry, 1);
  const applied = { [AAUTH_CURRENT.headers.preferenceApplied]: formatPreferWait(wait) };
  if (ps.pending.get(entry.id) !== entry) psError('invalid_request', 'this pending request has already been answered or withdrawn', { status: 410 });
  about.user = entry.sub;
  return terminal(ctx, ps, entry, applied) ?? deferredAnswer(ctx, entry, 0, applied);
}

/** §Cancel Request: "Subsequent requests to the pending URL return 410 Gone." */
export async function handlePsCancel(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest, id: string): Promise<EndpointResponse> {
  const entry = await ownedEntry(ctx, ps, request, id);
  retire(ctx, ps, entry);
  return { status: 204, headers: { 'Cache-Control': 'no-store' }, body: undefined };
}

const D = AAUTH_CURRENT.deferred;
const R = AAUTH_CURRENT.missionResponse;
const P = AAUTH_CURRENT.problem;
const KNOWN_ACTIONS: readonly string[] = [D.clarificationResponse, D.updatedRequest];

export async function handlePsPendingPost(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest, id: string): Promise<EndpointResponse> {
  await ownedEntry(ctx, ps, request, id);
  const action = JsonBody.parse(request.headers['content-type'] as string | undefined, request.body).string(D.action);
  if (action === undefined || !KNOWN_ACTIONS.includes(action)) psError('invalid_request', `"action" must be one of ${KNOWN_ACTIONS.map((a) => `"${a}"`).join(', ')}`);
  return psError('invalid_request', `no clarification was asked for this request; "${action}" is not expected`);
}
