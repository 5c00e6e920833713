/**
 * The resource token endpoint (2026-03 §Resource Token Endpoint): an identified agent asks, with a
 * signed JSON `POST {"scope": "…"}`, for a resource token before its first call (pre-authorization)
 * or for broader scopes (scope upgrade), and gets `{resource_token, auth_server, scope}`.
 *
 * Steps: 1. the caller is an identified agent (the token names `agent` and `agent_jkt`), else
 * `401 require=identity`; 2. the body is a JSON object whose `scope` is a non-empty string of
 * RFC 6749 scope tokens, else `400 invalid_request`; 3. when the resource publishes
 * `scope_descriptions`, every scope is one of them, else `400 invalid_scope` naming it; 4. mint.
 * Does not check: whether the auth server will grant the scopes (it decides at its token endpoint).
 *
 * Current profile (draft-hardt-oauth-aauth-protocol §Authorization Endpoint Request, published as
 * `authorization_endpoint`): the same request signed with a person token, which step 1 requires
 * instead (`401 requirement=person-token` otherwise), and the answer `{resource_token}` with the
 * resource token of a `requirement=auth-token` challenge (person from the person token).
 */
import { AAUTH_CURRENT, AAuthError, MalformedError, PROFILE } from '@aauth-ts/core';
import { levelChallenge, mintResourceToken } from './challenge.js';
import { mintCurrentResourceToken, requirementChallenge } from './current-challenge.js';
import type { PersonRecord } from './person-records.js';
import type { AAuthContext } from './context.js';
import type { ResourceAnswer } from './deferral-store.js';
import { legacyAuthServer, type ResolvedOptions } from './options.js';
import { normalizeScopes } from './requirement.js';

const M = PROFILE.resourceTokenEndpoint;

function requestedScopes(body: Uint8Array | undefined): string[] {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body ?? new Uint8Array()));
  } catch {
    throw new MalformedError('invalid_request', 'the resource token request body must be a JSON object', undefined, { field: M.scope, reason: 'malformed' });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MalformedError('invalid_request', 'the resource token request body must be a JSON object', undefined, { field: M.scope, reason: 'malformed' });
  }
  const scope = (json as Record<string, unknown>)[M.scope];
  if (typeof scope !== 'string') throw new MalformedError('invalid_request', `"${M.scope}" is required and must be a string`, undefined, { field: M.scope, reason: 'missing' });
  let scopes: string[];
  try {
    scopes = normalizeScopes(scope, 'scope');
  } catch (cause) {
    throw new MalformedError('invalid_request', `"${M.scope}" is not a space-separated list of scope tokens (RFC 6749 §3.3)`, scope, { field: M.scope, reason: 'malformed', cause });
  }
  if (scopes.length === 0) throw new MalformedError('invalid_request', `"${M.scope}" names no scope`, scope, { field: M.scope, reason: 'missing' });
  return scopes;
}

function knownScopes(options: ResolvedOptions, body: Uint8Array | undefined): string[] {
  const scopes = requestedScopes(body);
  const known = options.scopeDescriptions;
  if (known !== undefined) {
    const unknown = scopes.filter((s) => !Object.hasOwn(known, s));
    if (unknown.length > 0) throw new AAuthError('invalid_scope', `Unknown scope: ${unknown.join(' ')}`, { field: M.scope, reason: 'unknown', actual: unknown });
  }
  return scopes;
}

/**
 * `person`: the person record of the context's person token (current profile), which the resource
 * has verified before this is called.
 */
export async function answerResourceTokenRequest(options: ResolvedOptions, context: AAuthContext | undefined, body: Uint8Array | undefined, person?: PersonRecord): Promise<ResourceAnswer> {
  if ((context?.profile ?? options.profiles[0]) === 'aauth-current') {
    if (context === undefined || person === undefined) throw requirementChallenge('person-token', 'invalid_person_token', 'the authorization endpoint requires a request signed with a person token');
    const resourceToken = await mintCurrentResourceToken(options, person, context.thumbprint, knownScopes(options, body));
    return { status: 200, headers: { [PROFILE.headers.cacheControl]: 'no-store' }, body: { [AAUTH_CURRENT.authorizationResponse.resourceToken]: resourceToken } };
  }
  if (context === undefined) throw levelChallenge('identity', 'invalid_signature', 'the resource token endpoint requires a signed request from an identified agent');
  if (context.agent === undefined) throw levelChallenge('identity', 'invalid_agent_token', 'a resource token names an agent: sign with an agent token or jwks_uri, not a pseudonymous key');
  const scopes = knownScopes(options, body);
  const resourceToken = await mintResourceToken(options, { agent: context.agent, thumbprint: context.thumbprint }, scopes);
  return {
    status: 200,
    headers: { [PROFILE.headers.cacheControl]: 'no-store' },
    body: { [M.resourceToken]: resourceToken, [M.authServer]: legacyAuthServer(options), [M.scope]: scopes.join(' ') },
  };
}
