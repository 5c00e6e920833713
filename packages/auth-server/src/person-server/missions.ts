/**
 * Missions named by requests (draft-hardt-oauth-aauth-protocol §Mission, §Mission Status Errors),
 * and the mission blob the Person Server persists when a person approves one (§Mission Approval).
 */
import { createHash } from 'node:crypto';
import type { AuthServerContext } from '../context.js';
import type { Mission } from '../stores/mission-store.js';
import { psError } from './errors.js';
import type { MissionGrant, PersonServerState } from './state.js';

/** A mission identifier: the unpadded base64url SHA-256 digest (43 characters). */
export const S256_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function s256Of(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

/** §Mission Status Errors: a terminated mission is refused with its reason, whoever names it. */
export function terminated(mission: Mission): never {
  return psError('mission_terminated', `mission ${mission.s256} is terminated (${mission.terminationReason ?? 'terminated'}); propose a new mission to continue`, {
    extras: { mission_status: 'terminated', ...(mission.terminationReason === undefined ? {} : { termination_reason: mission.terminationReason }) },
  });
}

/**
 * The active mission `s256` of agent (`provider`, `agent`), named as `mission_s256` in a token
 * request (§Person Token Endpoint: "The PS MUST verify the mission exists, is active, and belongs
 * to this agent"). Unknown and another agent's are one answer.
 */
export function activeMissionOf(ctx: AuthServerContext, ps: PersonServerState, s256: string, provider: string, agent: string): Mission {
  const found = S256_PATTERN.test(s256) ? ps.missions.get(s256) : undefined;
  if (found === undefined || found.provider !== provider || found.agent !== agent) psError('invalid_request', '"mission_s256" names no mission of this agent');
  const mission = ps.missions.refresh(found, ctx.now());
  if (mission.state !== 'active') terminated(mission);
  return mission;
}

/** Approve a proposed mission: persist the blob (§Mission Identifier: `s256` over exactly these bytes). */
export function approveMission(ctx: AuthServerContext, ps: PersonServerState, grant: MissionGrant, userId: string): Mission {
  const blob: Record<string, unknown> = {
    approver: ctx.issuer(),
    agent: grant.agent,
    approved_at: new Date(ctx.now() * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    description: grant.description,
    ...(grant.tools === undefined ? {} : { approved_tools: grant.tools }),
    ...(grant.resources === undefined ? {} : { approved_resources: grant.resources }),
  };
  const bytes = Buffer.from(JSON.stringify(blob), 'utf8');
  const mission: Mission = {
    s256: s256Of(bytes), blob: bytes.toString('base64url'), provider: grant.provider, agent: grant.agent, userId,
    approvedResources: grant.resources ?? [], expiresAt: undefined, state: 'active', terminationReason: undefined, updates: [],
  };
  ps.missions.add(mission);
  grant.outcome.s256 = mission.s256;
  return mission;
}
