/**
 * Who may act for whom in RFC 8693 token exchange, as pure functions (no I/O, no clock):
 *  - the actor must be entitled to the subject token: named by its `may_act` (§4.4) when it has
 *    one, else its audience (the token was issued to the actor);
 *  - the actor's own token is no subject token (`ownTokenReason`);
 *  - the user may restrict actors further with the user attribute `aauth.mayAct`;
 *  - the new token's scopes follow the realm's grant policy for the actor at the target, with the
 *    user carried from another agent: without the user at hand, only the actor's
 *    `aauth.chainScopes` can be granted;
 *  - the chain is bounded, and the new `act` nests the previous actors (§4.1).
 */
import { MAX_ACT_DEPTH, actChain, mayActAllows, nestAct, parseAct, type ActClaim } from '@aauth-ts/core';
import { ownTokenReason } from '../policy/chaining.js';
import { decideGrant, knownResource, parseScope } from '../policy/decide.js';
import type { RealmModel, RealmUser } from '../realm/types.js';

export interface SubjectToken {
  /** The enabled local user the token names (its `sub`, or the user a foreign `sub` is linked to). */
  readonly user: RealmUser;
  readonly aud: string;
  /** Set on an AAuth auth token: the agent it was issued to act with (the previous actor). */
  readonly agent: string | undefined;
  readonly act: unknown;
  readonly mayAct: unknown;
  readonly scope: string | undefined;
}

export type ExchangeDecision =
  | { readonly outcome: 'refuse'; readonly code: 'invalid_grant' | 'invalid_target' | 'invalid_scope' | 'access_denied'; readonly reason: string }
  | { readonly outcome: 'grant'; readonly act: ActClaim; readonly scopes: readonly string[] };

export function decideExchange(realm: RealmModel, input: { actor: string; subject: SubjectToken; target: string | undefined; scope: string | undefined }): ExchangeDecision {
  const { actor, subject } = input;
  const own = ownTokenReason(actor, subject);
  if (own !== undefined) return { outcome: 'refuse', code: 'invalid_grant', reason: `the subject token is not another agent's: ${own}` };
  if (subject.mayAct !== undefined) {
    if (!mayActAllows(subject.mayAct, { sub: actor })) return { outcome: 'refuse', code: 'invalid_grant', reason: `the subject token's "may_act" does not name ${actor}` };
  } else if (subject.aud !== actor) {
    return { outcome: 'refuse', code: 'invalid_grant', reason: `the subject token was issued to ${subject.aud}, not to ${actor}` };
  }
  const user = subject.user;
  if (user.mayAct !== undefined && !user.mayAct.includes(actor)) {
    return { outcome: 'refuse', code: 'invalid_grant', reason: `user ${user.id} does not allow ${actor} to act for them (aauth.mayAct)` };
  }
  if (input.target === undefined) return { outcome: 'refuse', code: 'invalid_target', reason: 'name the target with "audience" (or "resource")' };
  if (!knownResource(realm, input.target)) return { outcome: 'refuse', code: 'invalid_target', reason: `${input.target} is not an enabled resource of realm ${realm.name}` };

  let prior: ActClaim | undefined;
  try {
    prior = parseAct(subject.act) ?? (subject.agent === undefined ? undefined : nestAct({ sub: subject.agent }));
  } catch (cause) {
    return { outcome: 'refuse', code: 'invalid_grant', reason: `the subject token's "act" is malformed: ${(cause as Error).message}` };
  }
  if (actChain(prior).length >= MAX_ACT_DEPTH - 1) return { outcome: 'refuse', code: 'invalid_grant', reason: `the delegation chain is longer than ${MAX_ACT_DEPTH - 1} actors` };

  const actorClient = realm.clients.get(actor);
  const requested = input.scope === undefined
    ? [...realm.scopes.values()].filter((s) => s.resource === input.target && actorClient?.optionalClientScopes.includes(s.name) && (actorClient.chainScopes?.includes(s.name) ?? true)).map((s) => s.name)
    : parseScope(input.scope);
  const grant = decideGrant(realm, { agentId: actor, resourceId: input.target, scopes: requested, knownUser: user.id });
  if (grant.outcome === 'refuse') return grant;
  // An exchange has no user at hand to ask: scopes that need consent cannot be delegated this way.
  if (grant.consent) return { outcome: 'refuse', code: 'access_denied', reason: `these scopes need the user's approval (not in ${actor}'s aauth.chainScopes, or in aauth.consentScopes), which token exchange cannot ask for` };
  if (grant.scopes.length === 0) return { outcome: 'refuse', code: 'invalid_scope', reason: `no scope of ${input.target} is granted to ${actor}` };
  return { outcome: 'grant', act: nestAct({ sub: actor }, prior), scopes: grant.scopes };
}
