/**
 * The `401` answers that tell an agent what to present next (2026-03 §AAuth HTTP Response Header):
 * `require=pseudonym`, `require=identity`, or `require=auth-token` with a resource token signed by
 * this resource and bound to the caller (`agent`, `agent_jkt`), naming the route's scope, with
 * `aud` = the auth server (§Resource Tokens).
 */
import { AAuthError, PROFILE, createResourceToken, serializeChallenge, type WireErrorCode } from '@aauth-ts/core';
import { legacyAuthServer, type ResolvedOptions } from './options.js';

const HEADER = PROFILE.headers.challenge;

/** A `401` carrying `AAuth: require=pseudonym|identity`. */
export function levelChallenge(require: 'pseudonym' | 'identity', code: WireErrorCode, message: string): AAuthError {
  return new AAuthError(code, message, { reason: 'missing' }, { status: 401, headers: { [HEADER]: serializeChallenge({ require }) } });
}

export interface Caller {
  readonly agent: string;
  readonly thumbprint: string;
}

/**
 * A resource token for `caller` (§Resource Token Structure): `iss` this resource, `aud` the auth
 * server, bound to the caller's agent and key, naming `scopes`. For a challenge and for the
 * resource token endpoint alike.
 */
export function mintResourceToken(options: ResolvedOptions, caller: Caller, scopes: readonly string[]): Promise<string> {
  return createResourceToken(options.signingKey, {
    iss: options.resource,
    aud: legacyAuthServer(options),
    agent: caller.agent,
    agentJkt: caller.thumbprint,
    ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
    lifetimeSeconds: options.resourceTokenLifetime,
    now: options.now(),
  });
}

/** A `401` carrying `AAuth: require=auth-token; resource-token="…"; auth-server="…"`. */
export async function authTokenChallenge(options: ResolvedOptions, caller: Caller, scopes: readonly string[], code: WireErrorCode, message: string): Promise<AAuthError> {
  const resourceToken = await mintResourceToken(options, caller, scopes);
  const header = serializeChallenge({ require: 'auth-token', resourceToken, authServer: legacyAuthServer(options) });
  return new AAuthError(code, message, { reason: 'missing', expected: scopes }, { status: 401, headers: { [HEADER]: header } });
}

/**
 * A `401` carrying `AAuth: require=delegated-token; auth-server="…"; audience="…"; scope="…"`
 * (the extension in `PROFILE.challenge.delegatedToken`): the route wants an RFC 8693 delegated
 * token, which the agent obtains by token exchange at `authServer` with the subject token it holds.
 */
export function delegatedTokenChallenge(options: ResolvedOptions, authServer: string, scopes: readonly string[], code: WireErrorCode, message: string): AAuthError {
  const header = serializeChallenge({ require: 'delegated-token', authServer, audience: options.resource, scope: scopes.join(' ') });
  return new AAuthError(code, message, { reason: 'missing', expected: scopes }, { status: 401, headers: { [HEADER]: header } });
}
