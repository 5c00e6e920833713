/**
 * `POST {issuer}/protocol/aauth/ps/person` — the person token endpoint
 * (draft-hardt-oauth-aauth-protocol §Person Token Endpoint; docs/person-server-contract.md).
 * Checks, in order:
 *  1. the body: `resource` a server identifier (`invalid_request`), `mission_s256`,
 *     `subagent_token`, `tenant`, `capabilities` well formed;
 *  2. request signature and agent (`authenticate.ts`); a sub-agent may not call (`invalid_agent_token`);
 *  3. `subagent_token` (§Sub-Agents): an agent token whose `parent_agent` is the signer; the token
 *     issued binds the sub-agent's key;
 *  4. `mission_s256`: a mission of this agent, active (`invalid_request`, `mission_terminated`);
 *  5. the person: with `upstream_token` (§Call Chaining), the person it names (`upstream.ts`; no
 *     `subagent_token` beside it), issued at once unless the intermediary's agent provider has
 *     `consentRequired` (then that person is asked, and approving binds no agent), carrying the
 *     upstream `mission_s256`. Otherwise the user bound to the agent (§Agent-Person Binding):
 *     issued at once when that user has approved person tokens for this resource before, or the
 *     mission named approved it; otherwise the person is asked first (202, §Person Token
 *     Exposure), and an unbound agent is bound to whoever approves.
 */
import { AAUTH_CURRENT, isServerIdentifier, type DecisionSubject } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import type { IncomingRequest } from '../request/types.js';
import type { Mission } from '../stores/mission-store.js';
import type { EndpointResponse } from '../token/response.js';
import { authenticateAgent, refuseSubAgent, tokenSubject } from './authenticate.js';
import { JsonBody } from './body.js';
import { defer } from './deferred.js';
import { psError } from './errors.js';
import { issuePersonToken } from './issue.js';
import { activeMissionOf } from './missions.js';
import type { PersonServerState } from './state.js';
import { verifyUpstream } from './upstream.js';

const Q = AAUTH_CURRENT.personTokenRequest;
const T = AAUTH_CURRENT.tokenRequest;

export async function handlePersonTokenRequest(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest, about: DecisionSubject): Promise<EndpointResponse> {
  const body = JsonBody.parse(request.headers['content-type'] as string | undefined, request.body);
  const resource = body.required(Q.resource);
  if (!isServerIdentifier(resource, { allowLoopbackHttp: ctx.realm.settings.allowLoopback })) {
    psError('invalid_request', `"resource" ${JSON.stringify(resource)} is not a server identifier (https, lowercase, scheme and host only)`);
  }
  const missionS256 = body.string(Q.missionS256);
  const subagentToken = body.token(Q.subagentToken);
  const tenant = body.string(T.tenant);
  const justification = body.string(T.justification, 4096);
  const capabilities = body.strings(T.capabilities);
  const upstreamToken = body.token(Q.upstreamToken);
  if (upstreamToken !== undefined && subagentToken !== undefined) psError('invalid_request', '"upstream_token" and "subagent_token" cannot be combined: an intermediary calls for itself');

  const caller = await authenticateAgent(ctx, ps, request);
  about.agent = caller.agentId;
  about.resource = resource;
  refuseSubAgent(caller);
  const { cnfJwk, agentExp, subagent } = await tokenSubject(ctx, ps, caller, subagentToken);
  if (upstreamToken !== undefined) {
    const upstream = await verifyUpstream(ctx, ps, upstreamToken, caller, missionS256);
    about.user = upstream.userId;
    about.upstreamJti = upstream.jti;
    if (ctx.realm.clients.get(caller.provider)?.consentRequired === true) {
      return defer(ctx, ps, caller.jkt, {
        kind: 'person_token', agent: caller.agentId, provider: caller.provider, subagent, cnfJwk, agentExp, requiredUser: upstream.userId, justification,
        resource, missionS256: upstream.missionS256, tenant, upstream: { jti: upstream.jti, userId: upstream.userId, missionS256: upstream.missionS256 },
      }, capabilities);
    }
    return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: await issuePersonToken(ctx, ps, { resource, userId: upstream.userId, cnfJwk, mission: upstream.mission, tenant, agentExp, agent: caller.agentId, subagent, upstream: upstream.jti }) };
  }
  const mission: Mission | undefined = missionS256 === undefined ? undefined : activeMissionOf(ctx, ps, missionS256, caller.provider, caller.agentId);
  const binding = ps.bindings.get(caller.provider, caller.agentId);
  const approved = binding !== undefined && (binding.resources.has(resource) || (mission !== undefined && mission.userId === binding.userId && mission.approvedResources.includes(resource)));
  if (binding !== undefined && approved) {
    about.user = binding.userId;
    const user = ctx.realm.usersById.get(binding.userId);
    if (!user?.enabled) psError('access_denied', 'the person this agent acts for is not an enabled user of the realm');
    return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: await issuePersonToken(ctx, ps, { resource, userId: binding.userId, cnfJwk, mission, tenant, agentExp, agent: caller.agentId, subagent }) };
  }
  return defer(ctx, ps, caller.jkt, {
    kind: 'person_token', agent: caller.agentId, provider: caller.provider, subagent, cnfJwk, agentExp, requiredUser: binding?.userId, justification,
    resource, missionS256: mission?.s256, tenant,
  }, capabilities);
}

