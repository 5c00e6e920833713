/**
 * Issuing person tokens and auth tokens (draft-hardt-oauth-aauth-protocol §Person Token Structure,
 * §Auth Token Structure). Lifetimes: at most one hour, never past the agent token presented when
 * the request was made, nor past the mission's `expires_at`. A person token's record is stored
 * before the token is handed out (§Person Token Endpoint: the PS MUST retain it), and every
 * directed `sub` handed out is indexed to its person, for `upstream_token` (§Call Chaining).
 */
import { randomUUID } from 'node:crypto';
import { jwkThumbprint, type PublicJwk } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import { tokenLifespanFor } from '../realm/agent-settings.js';
import type { Mission } from '../stores/mission-store.js';
import { directedSubject } from './directed-subject.js';
import { psError } from './errors.js';
import { MAX_AUTH_TOKEN_LIFETIME, MAX_PERSON_TOKEN_LIFETIME, type PersonServerState } from './state.js';

function lastingUntil(now: number, lifetime: number, agentExp: number, mission: Mission | undefined): number {
  return Math.min(now + lifetime, agentExp, mission?.expiresAt ?? Number.POSITIVE_INFINITY);
}

export interface PersonTokenRequest {
  readonly resource: string;
  readonly userId: string;
  readonly cnfJwk: PublicJwk;
  readonly mission: Mission | undefined;
  readonly tenant: string | undefined;
  readonly agentExp: number;
  readonly agent: string;
  readonly subagent: string | undefined;
  /** A chained token's upstream `jti`, kept in its record. */
  readonly upstream?: string | undefined;
}

export async function issuePersonToken(ctx: AuthServerContext, ps: PersonServerState, request: PersonTokenRequest): Promise<{ person_token: string; expires_in: number }> {
  const now = ctx.now();
  const exp = lastingUntil(now, MAX_PERSON_TOKEN_LIFETIME, request.agentExp, request.mission);
  if (exp <= now) psError('invalid_request', 'the agent token (or the mission) expires now: no person token can be issued within it');
  if (ps.records.room(request.agent, now) !== 'stored') psError('server_error', 'too many person tokens retained; retry shortly', { status: 503, headers: { 'Retry-After': '5' } });
  const jti = randomUUID();
  const sub = directedSubject(ps.salt, request.resource, request.userId);
  const missionS256 = request.mission?.s256;
  const token = await ps.tokens.createPersonToken({ aud: request.resource, sub, cnfJwk: request.cnfJwk, missionS256, tenant: request.tenant, jti, iat: now, exp });
  ps.records.add({
    jti, ps: ctx.issuer(), sub, aud: request.resource, ...(missionS256 === undefined ? {} : { mission_s256: missionS256 }), ...(request.tenant === undefined ? {} : { tenant: request.tenant }), exp,
    jkt: jwkThumbprint(request.cnfJwk), agent: request.agent, subagent: request.subagent, userId: request.userId,
    ...(request.upstream === undefined ? {} : { upstream: request.upstream }),
  }, now);
  await ps.subjects.remember(request.resource, sub, request.userId);
  return { person_token: token, expires_in: exp - now };
}

export interface AuthTokenRequest {
  readonly resource: string;
  readonly sub: string;
  readonly scopes: readonly string[];
  readonly cnfJwk: PublicJwk;
  readonly mission: Mission | undefined;
  readonly tenant: string | undefined;
  readonly agentExp: number;
  /** The agent provider's realm client, whose `access.token.lifespan` applies. */
  readonly provider: string;
  /** The realm user `sub` names. */
  readonly userId: string;
}

export async function issueAuthToken(ctx: AuthServerContext, ps: PersonServerState, request: AuthTokenRequest): Promise<{ auth_token: string; expires_in: number }> {
  const now = ctx.now();
  const lifetime = Math.min(tokenLifespanFor(ctx.realm, request.provider), MAX_AUTH_TOKEN_LIFETIME);
  const exp = lastingUntil(now, lifetime, request.agentExp, request.mission);
  if (exp <= now) psError('invalid_request', 'the agent token (or the mission) expires now: no auth token can be issued within it');
  const token = await ps.tokens.createAuthToken({
    aud: request.resource, sub: request.sub, cnfJwk: request.cnfJwk, missionS256: request.mission?.s256, tenant: request.tenant,
    scope: request.scopes.length === 0 ? undefined : request.scopes.join(' '), jti: randomUUID(), iat: now, exp,
  });
  // An auth token may be presented downstream as `upstream_token`: its (aud, sub) must lead back to the person.
  await ps.subjects.remember(request.resource, request.sub, request.userId);
  return { auth_token: token, expires_in: exp - now };
}
