/**
 * The chain policy hook: one decision over a whole delegation chain, asked wherever a token is
 * about to be issued or accepted on the strength of earlier actors (RFC 8693 §4.1 `act`, call
 * chaining's `upstream_token`). Resources ask it before a delegated request reaches the handler;
 * auth servers ask it before they issue an exchanged or chained token. The answer is allow/deny
 * with a reason the refusal carries (`access_denied`, the reason in `error_description`).
 *
 * `realmChainPolicy` is the default both auth servers apply from the realm's settings
 * (`aauth.maxChainDepth`, `aauth.chainActors`; auth-server contract, "Policy from the realm").
 */

/** What a chain policy decides on. Identifiers only: never a token or key material. */
export interface ChainPolicyInput {
  /** The agent acting now (the request's signer). */
  agent: string;
  /** The user the token names, with the issuer that named them. */
  user?: { iss: string; sub: string };
  /** The resource the token is (to be) for. */
  resource: string;
  scope: readonly string[];
  /** Every actor of the chain, outermost (current) actor first, so `act[0]` is `agent`. */
  act: readonly string[];
  /** Why the agent asks, when it said so (2026-03 §Token Endpoint `purpose`). */
  purpose?: string;
}

export interface ChainPolicyDecision {
  allow: boolean;
  /** A sentence for the refusal and the decision log (`policy_reason`); on allow, why. */
  reason: string;
}

/** Asked once per decision; must answer (deny with a reason rather than throw). */
export type ChainPolicy = (input: ChainPolicyInput) => Promise<ChainPolicyDecision>;

/** The longest chain a token may carry by default: 15 actors (the outermost plus 14 before it). */
export const DEFAULT_MAX_CHAIN_DEPTH = 15;

export interface RealmChainSettings {
  /** `aauth.maxChainDepth`: most actors in a chain (default 15). */
  readonly maxChainDepth?: number;
  /** `aauth.chainActors`: the only agents that may appear anywhere in a chain; undefined = any. */
  readonly chainActors?: readonly string[] | undefined;
}

/** The realm's default chain policy: a depth limit and, when configured, a list of admitted actors. */
export function realmChainPolicy(settings: RealmChainSettings): ChainPolicy {
  const maxDepth = settings.maxChainDepth ?? DEFAULT_MAX_CHAIN_DEPTH;
  const actors = settings.chainActors === undefined ? undefined : new Set(settings.chainActors);
  return (input) => Promise.resolve(decideRealmChain(input, maxDepth, actors));
}

function decideRealmChain(input: ChainPolicyInput, maxDepth: number, actors: ReadonlySet<string> | undefined): ChainPolicyDecision {
  if (input.act.length > maxDepth) {
    return { allow: false, reason: `the delegation chain has ${input.act.length} actors, more than ${maxDepth} (aauth.maxChainDepth)` };
  }
  if (actors !== undefined) {
    const outsider = input.act.find((actor) => !actors.has(actor));
    if (outsider !== undefined) return { allow: false, reason: `${outsider} may not appear in a delegation chain here (aauth.chainActors)` };
  }
  return { allow: true, reason: 'within the realm\'s chain limits' };
}

/** Both policies must allow; the first refusal is the answer. */
export function allChainPolicies(...policies: readonly ChainPolicy[]): ChainPolicy {
  return async (input) => {
    let last: ChainPolicyDecision = { allow: true, reason: 'no chain policy' };
    for (const policy of policies) {
      last = await askChainPolicy(policy, input);
      if (!last.allow) return last;
    }
    return last;
  };
}

/**
 * Ask `policy`, failing closed: a policy that throws or answers something other than a decision
 * denies, so a broken hook can never let a chain through (nor turn into a 500).
 */
export async function askChainPolicy(policy: ChainPolicy, input: ChainPolicyInput): Promise<ChainPolicyDecision> {
  try {
    const decision: unknown = await policy(input);
    if (typeof decision === 'object' && decision !== null && typeof (decision as ChainPolicyDecision).allow === 'boolean') {
      const { allow, reason } = decision as ChainPolicyDecision;
      return { allow, reason: typeof reason === 'string' && reason.length > 0 ? reason : (allow ? 'allowed by the chain policy' : 'refused by the chain policy') };
    }
    return { allow: false, reason: 'the chain policy gave no decision' };
  } catch {
    return { allow: false, reason: 'the chain policy could not decide' };
  }
}
