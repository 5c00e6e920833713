/**
 * Read, change and write back one JSON record of a `SharedStore` without losing another
 * instance's change made meanwhile: the write is a compare-and-set of the record as read (`add`
 * when there was none), retried on the record as it then is. What the shared Person Server state
 * and the shared login throttle change in place in memory goes through this.
 */
import { StoreUnavailableError, type SharedStore } from '@aauth-ts/core';

/** Each try follows a change by another instance; this many in a row means the store is too contended to answer. */
const ATTEMPTS = 16;

/** Await a store call, or fail it the way the store's owner reports outages (`guardStoreCall`). */
export type StoreGuard = <T>(call: Promise<T>) => Promise<T>;

/**
 * Apply `change` to the record at `key` (undefined when there is none) and store what it returns
 * for `ttlMs`; `change` returns undefined to leave the record as it is. Resolves to the record as
 * stored (or as left).
 */
export async function updateRecord<T>(store: SharedStore, guard: StoreGuard, key: string, ttlMs: number, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const read = await guard(store.get(key));
    const current = read === undefined ? undefined : JSON.parse(read) as T;
    const next = change(current);
    if (next === undefined) return current;
    const written = JSON.stringify(next);
    if (await guard(read === undefined ? store.add(key, written, ttlMs) : store.swap(key, read, written, ttlMs))) return next;
  }
  return guard(Promise.reject(new StoreUnavailableError('store_unavailable', `the record ${key} kept changing under this instance`)));
}

/** The record at `key`, parsed. */
export async function readRecord<T>(store: SharedStore, guard: StoreGuard, key: string): Promise<T | undefined> {
  const read = await guard(store.get(key));
  return read === undefined ? undefined : JSON.parse(read) as T;
}

/**
 * How long the Person Server's lasting state lives in a shared store, milliseconds: missions and
 * agent-person bindings have no end of their own but the store needs one. A year, renewed by
 * every change; an operator who keeps them longer gives Redis persistence and this a thought.
 */
export const LASTING_TTL_MS = 366 * 24 * 3600 * 1000;
