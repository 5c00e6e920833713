/**
 * `SharedStore` in this process's memory: what one instance needs, and the store tests and
 * single-process setups use. Bounded like every cache fed by callers: when full of live entries
 * it refuses new ones (`StoreUnavailableError` `store_full`) rather than forgetting live ones,
 * since forgetting a remembered signature or `jti` would reopen its replay window.
 */
import { StoreUnavailableError, type SharedStore } from './shared-store.js';

export interface MemoryStoreOptions {
  /** Most live entries. Default 100 000. */
  readonly maxEntries?: number;
  /** Clock, milliseconds since the epoch (tests). */
  readonly nowMs?: () => number;
}

interface Entry { readonly value: string; readonly expiresAt: number }

export class MemoryStore implements SharedStore {
  readonly #max: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #since: number;
  /** Sweeps are O(size): at most one per millisecond tick, however hard a full store is pushed. */
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryStoreOptions = {}) {
    this.#max = options.maxEntries ?? 100_000;
    this.#now = options.nowMs ?? Date.now;
    this.#since = this.#now();
  }

  rememberedSince(): Promise<number> {
    return Promise.resolve(this.#since);
  }

  get size(): number {
    return this.#entries.size;
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #store(key: string, value: string, ttlMs: number, now: number): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.#max) {
      if (now !== this.#sweptAt) {
        this.#sweptAt = now;
        for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
      }
      if (this.#entries.size >= this.#max) throw new StoreUnavailableError('store_full', 'the in-memory store is full of live entries');
    }
    this.#entries.set(key, { value, expiresAt: now + ttlMs });
  }

  add(key: string, value: string, ttlMs: number): Promise<boolean> {
    return settle(() => {
      const now = this.#now();
      if (this.#live(key, now) !== undefined) return false;
      this.#store(key, value, ttlMs, now);
      return true;
    });
  }

  get(key: string): Promise<string | undefined> {
    return settle(() => this.#live(key, this.#now())?.value);
  }

  put(key: string, value: string, ttlMs: number): Promise<void> {
    return settle(() => this.#store(key, value, ttlMs, this.#now()));
  }

  delete(key: string): Promise<boolean> {
    return settle(() => this.#live(key, this.#now()) !== undefined && this.#entries.delete(key));
  }

  swap(key: string, expected: string, next: string | undefined, ttlMs: number): Promise<boolean> {
    return settle(() => {
      const now = this.#now();
      if (this.#live(key, now)?.value !== expected) return false;
      if (next === undefined) this.#entries.delete(key);
      else this.#store(key, next, ttlMs, now);
      return true;
    });
  }
}

/** A synchronous step as a settled promise: a throw becomes a rejection, as from a remote store. */
function settle<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
