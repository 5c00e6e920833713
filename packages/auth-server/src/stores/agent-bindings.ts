/**
 * Agent-person bindings (draft-hardt-oauth-aauth-protocol §Agent-Person Binding): each agent,
 * recognised by (agent provider, agent identifier) — the agent token's `iss` and `sub` — acts for
 * exactly one realm user. A binding is made when that user first approves the agent on the
 * Person Server's interaction page, or ahead of time by an administrator (user attribute
 * `aauth.agentBinding`, read from the realm at start); once made, no other user can claim the
 * agent. Each binding also remembers the resources its user has approved person tokens for, so
 * only the first person token per resource asks (§Person Token Exposure). Kept in this process
 * (`AgentBindings`) or in a store shared by several instances (`SharedAgentBindings`), behind
 * `BindingLedger`.
 */
import type { RealmModel } from '../realm/types.js';

export interface AgentBinding {
  readonly userId: string;
  /** Resources the user approved person tokens for (first use, or named in an approved mission). */
  readonly resources: ReadonlySet<string>;
}

/** The key a binding is stored under, and the form of the `aauth.agentBinding` attribute value. */
export function bindingKey(provider: string, agentId: string): string {
  return `${provider} ${agentId}`;
}

export type BindVerdict = 'bound' | 'already_bound' | 'other_user';

/** Where bindings live; each call answers at once (this process) or through a shared store. */
export interface BindingLedger {
  get(provider: string, agentId: string): AgentBinding | undefined | Promise<AgentBinding | undefined>;
  bind(provider: string, agentId: string, userId: string): BindVerdict | Promise<BindVerdict>;
  approveResources(provider: string, agentId: string, resources: readonly string[]): void | Promise<void>;
}

/** The bindings an administrator made ahead of time (`aauth.agentBinding`), by `bindingKey`: the first user naming an agent has it. */
export function presetBindings(realm: RealmModel): ReadonlyMap<string, string> {
  const preset = new Map<string, string>();
  for (const user of realm.usersById.values()) {
    for (const key of user.agentBindings) if (!preset.has(key)) preset.set(key, user.id);
  }
  return preset;
}

export class AgentBindings implements BindingLedger {
  readonly #bindings = new Map<string, { userId: string; resources: Set<string> }>();

  constructor(realm: RealmModel) {
    for (const [key, userId] of presetBindings(realm)) this.#bindings.set(key, { userId, resources: new Set() });
  }

  get(provider: string, agentId: string): AgentBinding | undefined {
    return this.#bindings.get(bindingKey(provider, agentId));
  }

  bind(provider: string, agentId: string, userId: string): BindVerdict {
    const key = bindingKey(provider, agentId);
    const held = this.#bindings.get(key);
    if (held !== undefined) return held.userId === userId ? 'already_bound' : 'other_user';
    this.#bindings.set(key, { userId, resources: new Set() });
    return 'bound';
  }

  approveResources(provider: string, agentId: string, resources: readonly string[]): void {
    const held = this.#bindings.get(bindingKey(provider, agentId));
    if (held !== undefined) for (const r of resources) held.resources.add(r);
  }
}
