/**
 * The index of directed subjects (`DirectedSubjects`) in a store shared by several Person Server
 * instances (auth-server contract "Several instances"): an auth token issued at one instance is
 * accepted as `upstream_token` at any other (draft-hardt-oauth-aauth-protocol §Call Chaining).
 * One entry per (realm, audience, sub), written again by every token issued for the pair, and
 * kept as long as the longest auth token written with it can be presented.
 */
import { guardStoreCall, type AAuthLogger, type SharedStore } from '@aauth-ts/core';
import { LOG_COMPONENT } from '../http/decision-route.js';
import type { SubjectIndex } from './directed-subjects.js';
import type { StoreGuard } from './shared-record.js';

export class SharedDirectedSubjects implements SubjectIndex {
  readonly #store: SharedStore;
  readonly #guard: StoreGuard;
  readonly #realm: string;
  readonly #ttlMs: number;

  /** `lifetimeSeconds`: the longest lifetime of a token whose `sub` is looked up here. */
  constructor(store: SharedStore, logger: AAuthLogger, realm: string, lifetimeSeconds: number) {
    this.#store = store;
    this.#guard = (call) => guardStoreCall(call, logger, LOG_COMPONENT, 'the shared index of directed subjects');
    this.#realm = realm;
    this.#ttlMs = (lifetimeSeconds + 60) * 1000;
  }

  #key(audience: string, sub: string): string {
    return `ps-subject:${JSON.stringify([this.#realm, audience, sub])}`;
  }

  async remember(audience: string, sub: string, userId: string): Promise<void> {
    await this.#guard(this.#store.put(this.#key(audience, sub), userId, this.#ttlMs));
  }

  async personOf(audience: string, sub: string): Promise<string | undefined> {
    return this.#guard(this.#store.get(this.#key(audience, sub)));
  }
}
