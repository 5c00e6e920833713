/**
 * Single-use `jti`s in a store shared by several auth-server instances (auth-server contract
 * "Several instances"): a resource token redeemed at one instance is refused at every other.
 * Each `jti` is one atomic "remember once until `exp`" (Redis `SET NX PX`). Bounded by the
 * store (Redis `maxmemory` with `noeviction`), not per agent; an unreachable store answers 503.
 */
import { LOG_COMPONENT } from '../http/decision-route.js';
import { guardStoreCall, type AAuthLogger, type SharedStore } from '@aauth-ts/core';
import type { JtiLedger, JtiVerdict } from './jti-store.js';

export class SharedJtiStore implements JtiLedger {
  readonly #store: SharedStore;
  readonly #logger: AAuthLogger;

  constructor(store: SharedStore, logger: AAuthLogger) {
    this.#store = store;
    this.#logger = logger;
  }

  async use(issuer: string, jti: string, expiresAt: number, now: number, agent: string, issuedAt: number): Promise<JtiVerdict> {
    const guard = <T>(call: Promise<T>): Promise<T> => guardStoreCall(call, this.#logger, LOG_COMPONENT, 'the shared store of used tokens');
    // Kept through `expiresAt` inclusive, as `JtiStore` keeps it.
    const fresh = await guard(this.#store.add(`jti:${JSON.stringify([issuer, jti])}`, agent, (expiresAt - now + 1) * 1000));
    if (!fresh) return 'replayed';
    // Read after the write: a token issued before the store's memory began may have been used.
    return issuedAt * 1000 < await guard(this.#store.rememberedSince()) ? 'forgotten' : 'fresh';
  }
}
