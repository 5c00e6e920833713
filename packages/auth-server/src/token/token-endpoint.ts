/**
 * `POST {issuer}/protocol/aauth/token` (2026-03 §Token Endpoint; auth-server contract "Token
 * request modes"). Checks run in the contract's order:
 *  1. the body parses and names one mode (`invalid_request`);
 *  2. request signature and agent identity (`invalid_signature` / `invalid_agent_token`);
 *  3. `resource_token` (`invalid_resource_token`);
 *  4. `upstream_token` (`invalid_auth_token`);
 *  5. `auth_token` for refresh (`invalid_auth_token`);
 *  6. policy (`invalid_scope` / `access_denied`), and for call chaining the chain policy (`access_denied`);
 *  7. consent needed → 202 with a pending URL; else 200 with the auth token.
 */
import { AAuthError, type ChainPolicyInput, type DecisionSubject } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import { enforceChainPolicy } from '../policy/chain-policy.js';
import { decideGrant, parseScope, type PolicyGrant } from '../policy/decide.js';
import { authenticateRequest } from '../request/authenticate.js';
import type { AuthenticatedAgent, IncomingRequest } from '../request/types.js';
import { issueAuthToken, type GrantedToken } from './issue-auth-token.js';
import { parseTokenRequest, type TokenRequest } from './parse-token-request.js';
import { pendingAnswer } from './pending-endpoint.js';
import type { EndpointResponse } from './response.js';
import { verifyPresentedResourceToken, verifyRefreshToken, verifyUpstreamToken } from './verify-presented-tokens.js';

interface Question {
  readonly aud: string;
  readonly resourceId: string | undefined;
  readonly scopes: string[];
  readonly knownUser: string | undefined;
  /** `auth_time` of the token to issue when it names a user: carried from the upstream or refreshed token. */
  readonly authTime: number | undefined;
  readonly txn: string | undefined;
  readonly refresh: boolean;
  /** Call chaining: the actors before the requester (the upstream token's agent, or its `act`). */
  readonly priorActors: readonly string[] | undefined;
}

async function questionFor(ctx: AuthServerContext, body: TokenRequest, caller: AuthenticatedAgent, now: number): Promise<Question> {
  switch (body.mode) {
    case 'resource':
    case 'chain': {
      const rt = await verifyPresentedResourceToken(ctx, body.resource_token as string, caller, now);
      const upstream = body.mode === 'chain' ? await verifyUpstreamToken(ctx, body.upstream_token as string, caller, now) : undefined;
      return { aud: rt.iss, resourceId: rt.iss, scopes: parseScope(rt.scope), knownUser: upstream?.sub, authTime: upstream?.authTime, txn: rt.txn, refresh: false, priorActors: upstream?.priorActors };
    }
    case 'self':
      return { aud: caller.agentId, resourceId: undefined, scopes: parseScope(body.scope), knownUser: undefined, authTime: undefined, txn: undefined, refresh: false, priorActors: undefined };
    case 'refresh': {
      const { claims: old, carried } = await verifyRefreshToken(ctx, body.auth_token as string, caller, now);
      return { aud: old.aud, resourceId: old.aud === caller.agentId ? undefined : old.aud, scopes: parseScope(old.scope), knownUser: carried.sub, authTime: carried.authTime, txn: old.txn, refresh: true, priorActors: undefined };
    }
  }
}

async function pendingResponse(ctx: AuthServerContext, caller: AuthenticatedAgent, body: TokenRequest, question: Question, grant: PolicyGrant, now: number): Promise<EndpointResponse> {
  const entry = await ctx.pending.create({
    jkt: caller.jkt,
    grant: { aud: question.aud, agent: caller.agentId, cnfJwk: caller.jwk, scopes: grant.scopes, txn: question.txn, requiredUser: question.knownUser },
    purpose: body.purpose,
    loginHint: body.login_hint,
    tenant: body.tenant,
    domainHint: body.domain_hint,
    lifetimeSeconds: ctx.realm.settings.pendingLifespan,
  }, now);
  if (entry === 'full') {
    throw new AAuthError('server_error', 'too many requests are waiting for users; retry later', { reason: 'store_full' }, { status: 503, headers: { 'Retry-After': '30' } });
  }
  if (entry === 'agent_full') {
    throw new AAuthError('server_error', 'this agent has too many requests waiting for users; retry later', { reason: 'agent_quota' }, { status: 503, headers: { 'Retry-After': '30' } });
  }
  // Answered at once whatever `Prefer: wait` asked: the user needs the code before anything can change.
  return pendingAnswer(ctx, entry, 0);
}

/** `about` is filled in with what has been verified so far, for the decision log line. */
export async function handleTokenRequest(ctx: AuthServerContext, request: IncomingRequest, about: DecisionSubject): Promise<EndpointResponse> {
  const now = ctx.now();
  const body = parseTokenRequest(request.headers['content-type'] as string | undefined, request.body);
  const caller = await authenticateRequest(request, { realm: ctx.realm, issuer: ctx.issuer(), keys: ctx.discovery, agentTokens: ctx.agentTokens, now });
  about.agent = caller.agentId;
  const question = await questionFor(ctx, body, caller, now);
  about.resource = question.resourceId;
  about.scope = question.scopes;
  about.user = question.knownUser;
  const decision = decideGrant(ctx.realm, {
    agentId: caller.agentId,
    resourceId: question.resourceId,
    scopes: question.scopes,
    knownUser: question.knownUser,
    refresh: question.refresh,
  });
  if (decision.outcome === 'refuse') throw new AAuthError(decision.code, decision.reason, { reason: 'policy' });
  about.scope = decision.scopes;
  if (question.priorActors !== undefined && question.resourceId !== undefined) {
    const input: ChainPolicyInput = { agent: caller.agentId, resource: question.resourceId, scope: decision.scopes, act: [caller.agentId].concat(question.priorActors) };
    if (question.knownUser !== undefined) input.user = { iss: ctx.issuer(), sub: question.knownUser };
    if (body.purpose !== undefined) input.purpose = body.purpose;
    await enforceChainPolicy(ctx, input, about);
  }
  if (decision.consent) return pendingResponse(ctx, caller, body, question, decision, now);
  const grant: GrantedToken = { aud: question.aud, agent: caller.agentId, cnfJwk: caller.jwk, sub: question.knownUser, scopes: decision.scopes, txn: question.txn, authTime: question.authTime };
  return issueAuthToken(ctx, grant, now);
}
