/**
 * `upstream_token` at the person token and auth token endpoints (draft-hardt-oauth-aauth-protocol
 * §Call Chaining, §Upstream Token Verification, §Directed Identifiers Across a Chain;
 * docs/person-server-contract.md "Call chaining"). In order:
 *  1. a string (`invalid_request`);
 *  2. an `aa-auth+jwt` this Person Server issued: `typ`, `alg`, `iss` exactly ours, `dwk`
 *     `aauth-person.json`, signed with our own keys (none fetched: we federate with no AS), `exp`,
 *     `iat` (`invalid_request`);
 *  3. its `aud` is the `iss` of the signer's agent token: the upstream token was issued to the
 *     resource now acting as agent (`invalid_request`). Its `cnf` is the original agent's key, not
 *     the intermediary's (the original agent presented it at the intermediary), so `cnf` is not
 *     compared with the request key;
 *  4. the person: the realm user our index of issued directed subjects names for (`aud`, `sub`)
 *     (`invalid_request` when unknown, `access_denied` when not an enabled user);
 *  5. `mission_s256`: a body value must equal the upstream token's (`invalid_request`); the
 *     upstream mission must exist, belong to that person and be active (`mission_terminated`).
 * The upstream `sub` is never copied into anything issued: what is issued carries the person's
 * subject directed to the downstream resource.
 */
import { AAuthError, TokenError, type AaAuthTokenClaims } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import type { Mission } from '../stores/mission-store.js';
import type { PsCaller } from './authenticate.js';
import { psError } from './errors.js';
import { terminated } from './missions.js';
import type { PersonServerState, Upstream } from './state.js';

export interface VerifiedUpstream extends Upstream {
  readonly mission: Mission | undefined;
}

export async function verifyUpstream(ctx: AuthServerContext, ps: PersonServerState, token: string, caller: PsCaller, bodyMission: string | undefined): Promise<VerifiedUpstream> {
  if (token.split('.').length !== 3) psError('invalid_request', '"upstream_token" is not a JWT');
  const now = ctx.now();
  let claims: AaAuthTokenClaims;
  try {
    claims = await ps.tokens.verifyOwnAuthToken(token, caller.provider, now);
  } catch (err) {
    if (err instanceof TokenError || err instanceof AAuthError) psError('invalid_request', `"upstream_token" is not an auth token this Person Server issued to the calling resource: ${err.message}`);
    throw err;
  }
  const userId = await ps.subjects.personOf(claims.aud, claims.sub);
  if (userId === undefined) psError('invalid_request', 'the person the upstream token was issued for is not known here');
  if (ctx.realm.usersById.get(userId)?.enabled !== true) psError('access_denied', 'the person the upstream token was issued for is not an enabled user of the realm');
  const missionS256 = claims.mission_s256;
  if (bodyMission !== undefined && bodyMission !== missionS256) psError('invalid_request', '"mission_s256" is not the mission of the upstream token');
  const upstream: Upstream = { jti: claims.jti, userId, missionS256 };
  return { ...upstream, mission: chainedMission(ctx, ps, upstream) };
}

/** The upstream token's mission, which must belong to its person and be active (asked again when the person has approved). */
export function chainedMission(ctx: AuthServerContext, ps: PersonServerState, upstream: Upstream): Mission | undefined {
  if (upstream.missionS256 === undefined) return undefined;
  const found = ps.missions.get(upstream.missionS256);
  if (found === undefined || found.userId !== upstream.userId) psError('invalid_request', 'the upstream token\'s "mission_s256" names no mission of its person');
  const mission = ps.missions.refresh(found, ctx.now());
  if (mission.state !== 'active') terminated(mission);
  return mission;
}
