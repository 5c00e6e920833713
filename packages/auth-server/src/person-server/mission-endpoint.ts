/**
 * The agent's mission surface (draft-hardt-oauth-aauth-protocol §Mission; docs/person-server-contract.md):
 *
 *  - `POST {mission_endpoint}` proposes a mission: `description` (Markdown, required), `tools`,
 *    `resources` (server identifiers), `capabilities`. The person always reviews it on the
 *    interaction page (202); on approval the poll answers `{s256, mission, person_tokens}`
 *    (§Mission Approval), one person token per proposed resource, and the agent is bound to the
 *    approving person if it was not yet.
 *  - `POST {mission_endpoint}/{s256}` with `action`: `update` (`description` required) is accepted
 *    at once and answered `{s256}` of the update as persisted (§Mission Update); `completion`
 *    (`summary` required) goes to the person (202), whose acceptance terminates the mission with
 *    reason `completed` (§Mission Completion).
 *
 * Order at a mission's URL (§Mission Endpoint Errors): the signature first — nothing about a
 * mission is disclosed before the agent is authenticated — then the path segment and `action`
 * (`invalid_request`), then the mission: unknown and another agent's answer the same
 * `404 mission_not_found`; a terminated one `403 mission_terminated` with its reason.
 */
import { AAUTH_CURRENT, isS256, isServerIdentifier, missionS256, type DecisionSubject } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import type { IncomingRequest } from '../request/types.js';
import type { Mission } from '../stores/mission-store.js';
import type { EndpointResponse } from '../token/response.js';
import { authenticateAgent, refuseSubAgent } from './authenticate.js';
import { JsonBody, MAX_DOCUMENT } from './body.js';
import { defer } from './deferred.js';
import { psError } from './errors.js';
import { terminated } from './missions.js';
import type { PersonServerState } from './state.js';

export async function handleMissionProposal(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest, about: DecisionSubject): Promise<EndpointResponse> {
  const body = JsonBody.parse(request.headers['content-type'] as string | undefined, request.body);
  const description = body.required(M.description, MAX_DOCUMENT);
  const tools = body.tools(M.tools);
  const resources = body.strings(M.resources);
  const capabilities = body.strings(AAUTH_CURRENT.tokenRequest.capabilities);
  for (const resource of resources ?? []) {
    if (!isServerIdentifier(resource, { allowLoopbackHttp: ctx.realm.settings.allowLoopback })) psError('invalid_request', `"resources" lists ${JSON.stringify(resource)}, which is not a server identifier`);
  }
  const caller = await authenticateAgent(ctx, ps, request);
  about.agent = caller.agentId;
  refuseSubAgent(caller);
  const binding = await ps.bindings.get(caller.provider, caller.agentId);
  return defer(ctx, ps, caller.jkt, {
    kind: 'mission', agent: caller.agentId, provider: caller.provider, subagent: undefined, cnfJwk: caller.jwk, agentExp: caller.exp,
    requiredUser: binding?.userId, justification: undefined, description, tools, resources: resources === undefined ? undefined : [...new Set(resources)], outcome: {},
  }, capabilities);
}

/** The caller's mission `s256`, active: unknown and another agent's are one answer (`mission_not_found`). */
async function ownMission(ctx: AuthServerContext, ps: PersonServerState, s256: string, provider: string, agent: string): Promise<Mission> {
  // Looked up and compared in one step: the same answer, by the same path, for unknown and not-ours.
  const found = await ps.missions.get(s256, ctx.now());
  const mission = found !== undefined && found.provider === provider && found.agent === agent ? found : undefined;
  if (mission === undefined) psError('mission_not_found', 'no such mission');
  if (mission.state !== 'active') terminated(mission);
  return mission;
}

const M = AAUTH_CURRENT.missionRequest;
const A = AAUTH_CURRENT.missionAction;
const ACTIONS: readonly string[] = [A.update, A.completion];

export async function handleMissionAction(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest, s256: string, about: DecisionSubject): Promise<EndpointResponse> {
  const caller = await authenticateAgent(ctx, ps, request);
  about.agent = caller.agentId;
  refuseSubAgent(caller);
  if (!isS256(s256)) psError('invalid_request', 'the mission URL must end in a mission identifier (43 base64url characters)');
  const body = JsonBody.parse(request.headers['content-type'] as string | undefined, request.body);
  const action = body.string(A.key);
  if (action === undefined || !ACTIONS.includes(action)) psError('invalid_request', `"action" must be one of ${ACTIONS.map((a) => `"${a}"`).join(', ')}`);
  const text = action === A.update ? body.required(A.description, MAX_DOCUMENT) : body.required(A.summary, MAX_DOCUMENT);
  const mission = await ownMission(ctx, ps, s256, caller.provider, caller.agentId);
  if (action === A.update) {
    const bytes = JSON.stringify({ [A.description]: text, accepted_at: new Date(ctx.now() * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    const update = { s256: missionS256(Buffer.from(bytes, 'utf8')), bytes };
    // Terminated meanwhile (on another instance): refused as if it had been before.
    if (!(await ps.missions.addUpdate(mission.s256, update))) await ownMission(ctx, ps, s256, caller.provider, caller.agentId);
    return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: { [AAUTH_CURRENT.missionResponse.s256]: update.s256 } };
  }
  return defer(ctx, ps, caller.jkt, {
    kind: 'completion', agent: caller.agentId, provider: caller.provider, subagent: undefined, cnfJwk: caller.jwk, agentExp: caller.exp,
    requiredUser: mission.userId, justification: undefined, s256: mission.s256, summary: text,
  }, undefined);
}
