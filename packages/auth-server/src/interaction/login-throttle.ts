/**
 * Failed logins on the interaction page, counted per interaction code and per realm user (per
 * user as Keycloak's brute-force detection does; per code because a code is what an attacker
 * who started a request holds); unknown codes opened or typed in, per client address.
 * Past `maxFailures` failures a key is locked for `lockSeconds`: the page answers 429 with
 * `Retry-After` and does not look at the password. Memory is bounded: keys are live codes and
 * existing users only (an invented username adds nothing), capped at `maxKeys`; making room drops
 * stale and unlocked entries before any lock. With a shared store (several instances serving one
 * realm) the counts live there (`SharedFailureLimit`), so failures tried at one instance count at
 * every other: spreading guesses over instances gains nothing.
 */
import { guardStoreCall, type AAuthLogger, type SharedStore } from '@aauth-ts/core';
import { LOG_COMPONENT } from '../http/decision-route.js';
import { readRecord, updateRecord, type StoreGuard } from '../stores/shared-record.js';

export interface FailureLimitOptions {
  /** Failures allowed before the key locks. */
  readonly maxFailures: number;
  /** How long a lock lasts, and how long failures are remembered, seconds. */
  readonly lockSeconds: number;
  readonly maxKeys: number;
}

interface Entry {
  failures: number;
  /** Failures older than `since + lockSeconds` are forgotten. */
  since: number;
  lockedUntil: number;
}

/** Seconds `entry` is still locked at `now`, 0 when not. */
function lockLeft(entry: Entry | undefined, now: number): number {
  return entry !== undefined && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
}

/** Whether `entry` no longer matters at `now`: unlocked and its failures forgotten. */
function stale(entry: Entry, now: number, options: FailureLimitOptions): boolean {
  return entry.lockedUntil <= now && now >= entry.since + options.lockSeconds;
}

/** `entry` (undefined: none yet) after one more failure at `now`, locked once it reaches `maxFailures`. */
function afterFailure(entry: Entry | undefined, now: number, options: FailureLimitOptions): Entry {
  const next = entry === undefined || stale(entry, now, options) ? { failures: 0, since: now, lockedUntil: 0 } : { ...entry };
  next.failures += 1;
  if (next.failures >= options.maxFailures) {
    next.lockedUntil = now + options.lockSeconds;
    next.failures = 0;
    next.since = next.lockedUntil;
  }
  return next;
}

/** Failures per key: in this process (`FailureLimit`) or in a shared store (`SharedFailureLimit`). */
export interface FailureCounter {
  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string, now: number): number | Promise<number>;
  fail(key: string, now: number): void | Promise<void>;
  clear(key: string): void | Promise<void>;
}

export class FailureLimit implements FailureCounter {
  readonly #options: FailureLimitOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: FailureLimitOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  retryAfter(key: string, now: number): number {
    const entry = this.#entries.get(key);
    if (!entry) return 0;
    const left = lockLeft(entry, now);
    if (left === 0 && stale(entry, now, this.#options)) this.#entries.delete(key);
    return left;
  }

  fail(key: string, now: number): void {
    const entry = this.#entries.get(key);
    if ((!entry || stale(entry, now, this.#options)) && this.#entries.size >= this.#options.maxKeys) this.#evict(now);
    // Re-insert: the map's order is last-failure order, so eviction drops the stalest key first.
    this.#entries.delete(key);
    this.#entries.set(key, afterFailure(entry, now, this.#options));
  }

  clear(key: string): void {
    this.#entries.delete(key);
  }

  /** Make room: forget stale entries, else the stalest unlocked one (a lock is what protects), else the stalest. */
  #evict(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (stale(entry, now, this.#options)) this.#entries.delete(key);
    }
    if (this.#entries.size < this.#options.maxKeys) return;
    for (const [key, entry] of this.#entries) {
      if (entry.lockedUntil <= now) {
        this.#entries.delete(key);
        return;
      }
    }
    const oldest = this.#entries.keys().next();
    if (!oldest.done) this.#entries.delete(oldest.value);
  }
}

/**
 * Failures per key in a store shared by several instances: one JSON record per key
 * (`login:{name}:{key}`), changed by compare-and-set so failures counted at once at two instances
 * are both counted, and forgotten by the store once they no longer matter. Bounded by the store,
 * not by `maxKeys`.
 */
export class SharedFailureLimit implements FailureCounter {
  readonly #options: FailureLimitOptions;
  readonly #store: SharedStore;
  readonly #guard: StoreGuard;
  readonly #name: string;

  /** `name` tells this limit's keys from another's (and from another realm's) in the store. */
  constructor(options: FailureLimitOptions, store: SharedStore, logger: AAuthLogger, name: string) {
    this.#options = options;
    this.#store = store;
    this.#guard = (call) => guardStoreCall(call, logger, LOG_COMPONENT, 'the shared login throttle');
    this.#name = name;
  }

  #key(key: string): string {
    return `login:${this.#name}:${key}`;
  }

  async retryAfter(key: string, now: number): Promise<number> {
    return lockLeft(await readRecord<Entry>(this.#store, this.#guard, this.#key(key)), now);
  }

  async fail(key: string, now: number): Promise<void> {
    // Matters until its lock ends and then its failures are forgotten: at most two lock periods.
    await updateRecord<Entry>(this.#store, this.#guard, this.#key(key), 2 * this.#options.lockSeconds * 1000, (entry) => afterFailure(entry, now, this.#options));
  }

  async clear(key: string): Promise<void> {
    await this.#guard(this.#store.delete(this.#key(key)));
  }
}

/** The interaction page's limits (auth-server contract, "Consent"). */
export const LOGIN_LIMITS = Object.freeze({
  perCode: { maxFailures: 5, lockSeconds: 60, maxKeys: 10_000 },
  perUser: { maxFailures: 10, lockSeconds: 300, maxKeys: 10_000 },
  /** Unknown or used codes opened or typed in, per client address (§User Interaction, manual entry). */
  perAddress: { maxFailures: 10, lockSeconds: 300, maxKeys: 10_000 },
});

export class LoginThrottle {
  readonly codes: FailureCounter;
  readonly users: FailureCounter;
  /** Code guesses: a code that names no live request counts against the address that sent it. */
  readonly guesses: FailureCounter;

  /** In this process, or with `shared` in its store, under the realm's name. */
  constructor(shared?: { readonly store: SharedStore; readonly logger: AAuthLogger; readonly realm: string }) {
    const limit = (options: FailureLimitOptions, name: string): FailureCounter =>
      shared === undefined ? new FailureLimit(options) : new SharedFailureLimit(options, shared.store, shared.logger, `${name}:${shared.realm}`);
    this.codes = limit(LOGIN_LIMITS.perCode, 'code');
    this.users = limit(LOGIN_LIMITS.perUser, 'user');
    this.guesses = limit(LOGIN_LIMITS.perAddress, 'address');
  }

  /** Seconds to wait before this code or this (existing) user may try again; 0 = go ahead. */
  async retryAfter(code: string, userId: string | undefined, now: number): Promise<number> {
    return Math.max(await this.codes.retryAfter(code, now), userId === undefined ? 0 : await this.users.retryAfter(userId, now));
  }

  async failed(code: string, userId: string | undefined, now: number): Promise<void> {
    await this.codes.fail(code, now);
    if (userId !== undefined) await this.users.fail(userId, now);
  }

  async succeeded(code: string, userId: string): Promise<void> {
    await this.codes.clear(code);
    await this.users.clear(userId);
  }
}
