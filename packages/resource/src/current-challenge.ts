/**
 * The `401` answers of the current profile (draft-hardt-oauth-aauth-protocol §Requirement
 * Responses): `AAuth-Requirement: requirement=agent-token` (§Agent Token Required),
 * `requirement=person-token` (§Person Token Required), and `requirement=auth-token;
 * resource-token="…"` (§Auth Token Required) with a resource token that names the person token
 * this resource verified (§Resource Token Structure).
 */
import { AAUTH_CURRENT, AAuthError, createAaResourceToken, serializeRequirement, type WireErrorCode } from '@aauth-ts/core';
import type { ResolvedOptions } from './options.js';
import type { PersonRecord } from './person-records.js';

const HEADER = AAUTH_CURRENT.headers.requirement;

/** A `401` carrying `AAuth-Requirement: requirement=agent-token|person-token` (no parameters: the agent knows what to fetch). */
export function requirementChallenge(requirement: 'agent-token' | 'person-token', code: WireErrorCode, message: string): AAuthError {
  return new AAuthError(code, message, { reason: 'missing' }, { status: 401, headers: { [HEADER]: serializeRequirement({ requirement }) } });
}

/**
 * A resource token (§Resource Token Structure): `iss` this resource; `aud` its own access server
 * (four-party) or else the person's Person Server (three-party, §Resource Access and Resource
 * Tokens); `ps`, `sub`, `mission_s256` and `tenant` copied from the verified person token,
 * `presented_jti` its `jti`; `agent_jkt` the thumbprint of the key that signed the request; no agent
 * identifier. When the person token carried a mission, the resource token does not outlive the
 * person token (a mission's `expires_at` bounds both).
 */
export function mintCurrentResourceToken(options: ResolvedOptions, person: PersonRecord, thumbprint: string, scopes: readonly string[]): Promise<string> {
  return createAaResourceToken(options.signingKey, {
    iss: options.resource,
    aud: options.authServer ?? person.ps,
    ps: person.ps,
    sub: person.sub,
    presentedJti: person.jti,
    agentJkt: thumbprint,
    ...(person.missionS256 === undefined ? {} : { missionS256: person.missionS256 }),
    ...(person.tenant === undefined ? {} : { tenant: person.tenant }),
    scope: scopes.join(' '),
    lifetimeSeconds: options.resourceTokenLifetime,
    ...(person.missionS256 === undefined ? {} : { notAfter: person.expiresAt }),
    now: options.now(),
  });
}

/** A `401` carrying `AAuth-Requirement: requirement=auth-token; resource-token="…"`. */
export async function currentAuthTokenChallenge(options: ResolvedOptions, person: PersonRecord, thumbprint: string, scopes: readonly string[], code: WireErrorCode, message: string): Promise<AAuthError> {
  const resourceToken = await mintCurrentResourceToken(options, person, thumbprint, scopes);
  const header = serializeRequirement({ requirement: 'auth-token', resourceToken });
  return new AAuthError(code, message, { reason: 'missing', expected: scopes }, { status: 401, headers: { [HEADER]: header } });
}
