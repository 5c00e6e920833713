/**
 * `POST {issuer}/protocol/aauth/ps/token` — the Person Server's auth token endpoint, three-party
 * (draft-hardt-oauth-aauth-protocol §PS Token Endpoint, §Resource Token Verification,
 * §Parent-Mediated Authorization; docs/person-server-contract.md). Checks, in order:
 *  1. the body: `resource_token` (`invalid_request`);
 *  2. request signature and agent; a sub-agent may not call (`invalid_agent_token`);
 *  3. `subagent_token`: its `parent_agent` is the signer; `agent_jkt` is then the sub-agent's key;
 *  4. the resource token: its `iss` an enabled resource of the realm, checked before any fetch
 *     (`access_denied`); `typ`, `dwk`, signature via `{iss}/.well-known/aauth-resource.json`,
 *     `exp` (`expired_resource_token`), `iat`; `aud` = this PS; `agent_jkt` = the request key's (or
 *     the sub-agent's) thumbprint; a `jti`, never seen before; a lifetime of at most an hour
 *     (`invalid_resource_token`);
 *  5. `presented_jti` names a person token this PS issued and still retains (`unknown_person_token`),
 *     and the resource token's `ps`, `sub`, `mission_s256` and `tenant` equal that record's, its
 *     `iss` the record's resource, its `agent_jkt` the record's key, and the record's agent the signer
 *     (`invalid_resource_token`, logged as possible tampering);
 *  6. with `upstream_token` (§Call Chaining, `upstream.ts`): it names the same person as the record
 *     (`invalid_request`); a person token issued on an upstream token is redeemed only so
 *     (`invalid_request` without one). `mission_s256`: the mission is active (`mission_terminated`),
 *     the agent's own, or on a chained request the upstream token's;
 *  7. realm policy as the 2026-03 token endpoint: scopes the agent provider's client may obtain and
 *     the resource offers (`invalid_scope`), an enabled person (`access_denied`); the person is asked
 *     (202) when a scope is in `aauth.consentScopes` or the agent provider has `consentRequired`;
 *  8. an `aa-auth+jwt`: `aud` = the resource, `sub` = the directed subject, `ps` = `iss`, `cnf.jwk`
 *     = the signer's key or the sub-agent's, `scope`, `mission_s256`, `tenant`.
 */
import { AAUTH_CURRENT, AAuthError, jwkThumbprint, matchPersonTokenRecord, peekClaims, type AAuthLogger, type DecisionSubject } from '@aauth-ts/core';
import { LOG_COMPONENT } from '../http/decision-route.js';
import type { AuthServerContext } from '../context.js';
import { checkScopes, knownResource, parseScope } from '../policy/decide.js';
import type { IncomingRequest } from '../request/types.js';
import type { Mission } from '../stores/mission-store.js';
import type { PersonTokenRecord } from '../stores/person-token-records.js';
import type { EndpointResponse } from '../token/response.js';
import { authenticateAgent, refuseSubAgent, tokenSubject } from './authenticate.js';
import { JsonBody } from './body.js';
import { defer } from './deferred.js';
import { psError } from './errors.js';
import { issueAuthToken } from './issue.js';
import { activeMissionOf } from './missions.js';
import { MAX_RESOURCE_TOKEN_LIFETIME, type PersonServerState } from './state.js';
import { verifyUpstream } from './upstream.js';

const T = AAUTH_CURRENT.tokenRequest;
const C = AAUTH_CURRENT.claims;

/** Skew on `exp` of a used resource-token `jti`. */
const SKEW = 60;

/**
 * §Resource Token Verification step 6: a mismatch "is evidence of tampering, such as mission
 * stripping, and SHOULD be surfaced to operators rather than only rejected".
 */
function tampered(claim: string, logger: AAuthLogger, jti: string): void {
  logger.warn({ component: LOG_COMPONENT, error: 'invalid_resource_token', claim, presented_jti: jti }, 'resource token does not match the person token it names');
}

function mismatch(claim: string, logger: AAuthLogger, jti: string): never {
  tampered(claim, logger, jti);
  return psError('invalid_resource_token', `resource token "${claim}" does not match the person token named by "presented_jti"`);
}

export async function handlePsTokenRequest(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest, about: DecisionSubject, logger: AAuthLogger): Promise<EndpointResponse> {
  const body = JsonBody.parse(request.headers['content-type'] as string | undefined, request.body);
  const resourceToken = body.token(T.resourceToken) ?? psError('invalid_request', '"resource_token" is required');
  const subagentToken = body.token(T.subagentToken);
  const justification = body.string(T.justification, 4096);
  const capabilities = body.strings(T.capabilities);
  const upstreamToken = body.token(T.upstreamToken);
  if (upstreamToken !== undefined && subagentToken !== undefined) psError('invalid_request', '"upstream_token" and "subagent_token" cannot be combined: an intermediary calls for itself');

  const caller = await authenticateAgent(ctx, ps, request);
  about.agent = caller.agentId;
  refuseSubAgent(caller);
  const { cnfJwk, agentExp, subagent } = await tokenSubject(ctx, ps, caller, subagentToken);
  const expectedJkt = jwkThumbprint(cnfJwk);
  const now = ctx.now();

  let claimed: unknown;
  try {
    claimed = peekClaims(resourceToken, 'invalid_resource_token').iss;
  } catch {
    psError('invalid_resource_token', '"resource_token" is not a JWT');
  }
  if (typeof claimed !== 'string') psError('invalid_resource_token', 'resource token has no "iss"');
  if (!knownResource(ctx.realm, claimed)) psError('access_denied', `resource ${claimed} is not an enabled resource of realm ${ctx.realm.name}`);
  const rt = await ps.tokens.verifyResourceToken(resourceToken, { audience: ctx.issuer(), agentJkt: expectedJkt }, now);
  about.resource = rt.iss;
  if (rt.exp - rt.iat > MAX_RESOURCE_TOKEN_LIFETIME) psError('invalid_resource_token', `resource token lives longer than ${MAX_RESOURCE_TOKEN_LIFETIME} s; this Person Server does not accept it`);
  const record = ps.records.get(rt.presented_jti, now);
  try {
    matchPersonTokenRecord(rt, record?.ps === ctx.issuer() ? record : undefined);
  } catch (err) {
    if (err instanceof AAuthError && err.detail.reason === 'record_mismatch') tampered(String(err.detail.field), logger, rt.presented_jti);
    throw err;
  }
  const known = record as PersonTokenRecord;
  // Beyond the draft's four claims: the record's resource, key and agent, so a resource token built
  // on one agent's person token at one resource serves no other agent or resource.
  if (rt.iss !== known.aud) mismatch(C.iss, logger, rt.presented_jti);
  if (rt.agent_jkt !== known.jkt) mismatch(C.agentJkt, logger, rt.presented_jti);
  if (known.agent !== caller.agentId) mismatch('agent', logger, rt.presented_jti);
  const upstream = upstreamToken === undefined ? undefined : await verifyUpstream(ctx, ps, upstreamToken, caller, undefined);
  if (upstream !== undefined) {
    about.upstreamJti = upstream.jti;
    if (upstream.userId !== known.userId) psError('invalid_request', '"upstream_token" names another person than the person token the resource token was built on');
    if (upstream.missionS256 !== known.mission_s256) psError('invalid_request', '"upstream_token" carries another mission than the person token the resource token was built on');
  } else if (known.upstream !== undefined) {
    psError('invalid_request', 'this resource token was built on a person token issued for call chaining; present its "upstream_token" too');
  }
  const mission: Mission | undefined = upstream !== undefined ? upstream.mission
    : known.mission_s256 === undefined ? undefined : activeMissionOf(ctx, ps, known.mission_s256, caller.provider, caller.agentId);
  const scopes = parseScope(rt.scope);
  about.scope = scopes;
  about.user = known.userId;
  const refusal = checkScopes(ctx.realm, caller.provider, rt.iss, scopes);
  if (refusal !== undefined) psError(refusal.code, refusal.reason);
  const user = ctx.realm.usersById.get(known.userId);
  if (!user?.enabled) psError('access_denied', 'the person this agent acts for is not an enabled user of the realm');
  // Used up last, so a refused request never spends the resource token.
  const verdict = await ctx.jtis.use(rt.iss, rt.jti, rt.exp + SKEW, now, caller.agentId, rt.iat);
  if (verdict === 'replayed') psError('invalid_resource_token', 'resource token "jti" has already been used');
  // A shared store that lost its memory cannot tell whether this token was redeemed before it.
  if (verdict === 'forgotten') psError('invalid_resource_token', 'this resource token was issued before this server\'s record of used tokens began (it was reset); ask the resource for a new one');
  if (verdict !== 'fresh') psError('server_error', 'too many resource tokens in flight; retry shortly', { status: 503, headers: { 'Retry-After': '5' } });
  const consent = scopes.some((s) => ctx.realm.settings.consentScopes.includes(s)) || ctx.realm.clients.get(caller.provider)?.consentRequired === true;
  if (consent) {
    return defer(ctx, ps, caller.jkt, {
      kind: 'auth_token', agent: caller.agentId, provider: caller.provider, subagent, cnfJwk, agentExp, requiredUser: known.userId, justification,
      resource: rt.iss, scopes, sub: known.sub, missionS256: known.mission_s256, tenant: known.tenant,
      ...(upstream === undefined ? {} : { upstream: { jti: upstream.jti, userId: upstream.userId, missionS256: upstream.missionS256 } }),
    }, capabilities);
  }
  return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: await issueAuthToken(ctx, ps, { resource: rt.iss, sub: known.sub, scopes, cnfJwk, mission, tenant: known.tenant, agentExp, provider: caller.provider, userId: known.userId }) };
}
