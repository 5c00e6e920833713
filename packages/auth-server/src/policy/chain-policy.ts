/**
 * The chain policy at the auth server (auth-server contract, "Chain policy"): asked before a
 * token is issued on the strength of earlier actors, i.e. a token exchange (the new `act` chain)
 * or a call-chaining request (the requester, then the upstream token's agent and `act`). The
 * realm's default (`aauth.maxChainDepth`, `aauth.chainActors`) always applies; a policy passed to
 * `createAuthServer` is asked after it. A refusal is `access_denied` with the policy's reason.
 */
import { AAuthError, askChainPolicy, type ChainPolicyInput, type DecisionSubject } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';

export async function enforceChainPolicy(ctx: AuthServerContext, input: ChainPolicyInput, about: DecisionSubject): Promise<void> {
  const decision = await askChainPolicy(ctx.chainPolicy, input);
  if (decision.allow) return;
  about.policyReason = decision.reason;
  throw new AAuthError('access_denied', decision.reason, { reason: 'chain_policy' });
}
