/**
 * Agent-person bindings in a store shared by several Person Server instances (auth-server
 * contract "Several instances"): an agent bound at one instance acts for that person at every
 * other, and no other person can claim it anywhere (draft-hardt-oauth-aauth-protocol
 * §Agent-Person Binding: "Once established, the PS MUST NOT allow a different person to claim the
 * same agent"). A binding is one JSON record (`ps-binding:{realm} {provider} {agent}`) made with
 * an atomic remember-once, so two instances binding the same agent to two people at once cannot
 * both succeed; the approved resources are compare-and-set changes of it. Bindings an
 * administrator made in the realm (`aauth.agentBinding`) hold whatever the store says.
 */
import { guardStoreCall, type AAuthLogger, type SharedStore } from '@aauth-ts/core';
import { LOG_COMPONENT } from '../http/decision-route.js';
import type { RealmModel } from '../realm/types.js';
import { bindingKey, presetBindings, type AgentBinding, type BindingLedger, type BindVerdict } from './agent-bindings.js';
import { LASTING_TTL_MS, readRecord, updateRecord, type StoreGuard } from './shared-record.js';

interface StoredBinding {
  readonly userId: string;
  readonly resources: readonly string[];
}

export class SharedAgentBindings implements BindingLedger {
  readonly #store: SharedStore;
  readonly #guard: StoreGuard;
  readonly #realm: string;
  readonly #preset: ReadonlyMap<string, string>;

  constructor(store: SharedStore, logger: AAuthLogger, realm: RealmModel) {
    this.#store = store;
    this.#guard = (call) => guardStoreCall(call, logger, LOG_COMPONENT, 'the shared store of agent-person bindings');
    this.#realm = realm.name;
    this.#preset = presetBindings(realm);
  }

  #key(provider: string, agentId: string): string {
    return `ps-binding:${this.#realm} ${bindingKey(provider, agentId)}`;
  }

  /** The binding as stored, or as the realm presets it (the realm's user wins over a stored one). */
  #effective(provider: string, agentId: string, stored: StoredBinding | undefined): StoredBinding | undefined {
    const preset = this.#preset.get(bindingKey(provider, agentId));
    if (preset === undefined) return stored;
    return { userId: preset, resources: stored?.userId === preset ? stored.resources : [] };
  }

  async get(provider: string, agentId: string): Promise<AgentBinding | undefined> {
    const binding = this.#effective(provider, agentId, await readRecord<StoredBinding>(this.#store, this.#guard, this.#key(provider, agentId)));
    return binding === undefined ? undefined : { userId: binding.userId, resources: new Set(binding.resources) };
  }

  async bind(provider: string, agentId: string, userId: string): Promise<BindVerdict> {
    let made = false;
    const held = await updateRecord<StoredBinding>(this.#store, this.#guard, this.#key(provider, agentId), LASTING_TTL_MS, (stored) => {
      made = this.#effective(provider, agentId, stored) === undefined;
      if (!made) return undefined;
      return { userId, resources: [] };
    });
    const binding = this.#effective(provider, agentId, held);
    if (binding?.userId !== userId) return 'other_user';
    return made ? 'bound' : 'already_bound';
  }

  async approveResources(provider: string, agentId: string, resources: readonly string[]): Promise<void> {
    await updateRecord<StoredBinding>(this.#store, this.#guard, this.#key(provider, agentId), LASTING_TTL_MS, (stored) => {
      const binding = this.#effective(provider, agentId, stored);
      if (binding === undefined || resources.every((r) => binding.resources.includes(r))) return undefined;
      return { userId: binding.userId, resources: [...new Set([...binding.resources, ...resources])] };
    });
  }
}
