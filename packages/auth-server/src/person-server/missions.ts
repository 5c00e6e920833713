/**
 * Missions named by requests (draft-hardt-oauth-aauth-protocol §Mission, §Mission Status Errors),
 * and the mission blob the Person Server persists when a person approves one (§Mission Approval).
 */
import { AAUTH_CURRENT, encodeMission, isS256, type MissionBlob } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import type { Mission } from '../stores/mission-store.js';
import { psError } from './errors.js';
import type { MissionGrant, PersonServerState } from './state.js';

const P = AAUTH_CURRENT.problem;
const B = AAUTH_CURRENT.missionBlob;

/** §Mission Status Errors: a terminated mission is refused with its reason, whoever names it. */
export function terminated(mission: Mission): never {
  return psError('mission_terminated', `mission ${mission.s256} is terminated (${mission.terminationReason ?? 'terminated'}); propose a new mission to continue`, {
    extras: { [P.missionStatus]: mission.state, ...(mission.terminationReason === undefined ? {} : { [P.terminationReason]: mission.terminationReason }) },
  });
}

/**
 * The active mission `s256` of agent (`provider`, `agent`), named as `mission_s256` in a token
 * request (§Person Token Endpoint: "The PS MUST verify the mission exists, is active, and belongs
 * to this agent"). Unknown and another agent's are one answer.
 */
export async function activeMissionOf(ctx: AuthServerContext, ps: PersonServerState, s256: string, provider: string, agent: string): Promise<Mission> {
  const mission = isS256(s256) ? await ps.missions.get(s256, ctx.now()) : undefined;
  if (mission === undefined || mission.provider !== provider || mission.agent !== agent) psError('invalid_request', '"mission_s256" names no mission of this agent');
  if (mission.state !== 'active') terminated(mission);
  return mission;
}

/** Approve a proposed mission: persist the blob (§Mission Identifier: `s256` over exactly these bytes). */
export async function approveMission(ctx: AuthServerContext, ps: PersonServerState, grant: MissionGrant, userId: string): Promise<Mission> {
  const blob: MissionBlob = {
    [B.approver]: ctx.issuer(),
    [B.agent]: grant.agent,
    [B.approvedAt]: new Date(ctx.now() * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    [B.description]: grant.description,
    ...(grant.tools === undefined ? {} : { [B.approvedTools]: grant.tools }),
    ...(grant.resources === undefined ? {} : { [B.approvedResources]: grant.resources }),
  } as MissionBlob;
  // The issuer carries the realm path: trusted here by its exact string (DESIGN "Identifiers").
  const encoded = encodeMission(blob, { allowLoopbackHttp: ctx.realm.settings.allowLoopback, exact: [ctx.issuer()] });
  const mission: Mission = {
    s256: encoded.s256, blob: encoded.mission, provider: grant.provider, agent: grant.agent, userId,
    approvedResources: grant.resources ?? [], expiresAt: undefined, state: 'active', terminationReason: undefined, updates: [],
  };
  await ps.missions.add(mission);
  grant.outcome.s256 = mission.s256;
  return mission;
}
