/**
 * Failed logins on the interaction page, counted per interaction code and per realm user (per
 * user as Keycloak's brute-force detection does; per code because a code is what an attacker
 * who started a request holds); unknown codes opened or typed in, per client address.
 * Past `maxFailures` failures a key is locked for `lockSeconds`: the page answers 429 with
 * `Retry-After` and does not look at the password. Memory is bounded: keys are live codes and
 * existing users only (an invented username adds nothing), capped at `maxKeys`; making room drops
 * stale and unlocked entries before any lock.
 */

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

export class FailureLimit {
  readonly #options: FailureLimitOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: FailureLimitOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string, now: number): number {
    const entry = this.#entries.get(key);
    if (!entry) return 0;
    if (entry.lockedUntil > now) return entry.lockedUntil - now;
    if (now >= entry.since + this.#options.lockSeconds) this.#entries.delete(key);
    return 0;
  }

  fail(key: string, now: number): void {
    let entry = this.#entries.get(key);
    if (entry && now >= entry.since + this.#options.lockSeconds && entry.lockedUntil <= now) entry = undefined;
    if (!entry) {
      if (this.#entries.size >= this.#options.maxKeys) this.#evict(now);
      entry = { failures: 0, since: now, lockedUntil: 0 };
    }
    // Re-insert: the map's order is last-failure order, so eviction drops the stalest key first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    entry.failures += 1;
    if (entry.failures >= this.#options.maxFailures) {
      entry.lockedUntil = now + this.#options.lockSeconds;
      entry.failures = 0;
      entry.since = entry.lockedUntil;
    }
  }

  clear(key: string): void {
    this.#entries.delete(key);
  }

  /** Make room: forget stale entries, else the stalest unlocked one (a lock is what protects), else the stalest. */
  #evict(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.lockedUntil <= now && now >= entry.since + this.#options.lockSeconds) this.#entries.delete(key);
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

/** The interaction page's limits (auth-server contract, "Consent"). */
export const LOGIN_LIMITS = Object.freeze({
  perCode: { maxFailures: 5, lockSeconds: 60, maxKeys: 10_000 },
  perUser: { maxFailures: 10, lockSeconds: 300, maxKeys: 10_000 },
  /** Unknown or used codes opened or typed in, per client address (§User Interaction, manual entry). */
  perAddress: { maxFailures: 10, lockSeconds: 300, maxKeys: 10_000 },
});

export class LoginThrottle {
  readonly codes = new FailureLimit(LOGIN_LIMITS.perCode);
  readonly users = new FailureLimit(LOGIN_LIMITS.perUser);
  /** Code guesses: a code that names no live request counts against the address that sent it. */
  readonly guesses = new FailureLimit(LOGIN_LIMITS.perAddress);

  /** Seconds to wait before this code or this (existing) user may try again; 0 = go ahead. */
  retryAfter(code: string, userId: string | undefined, now: number): number {
    return Math.max(this.codes.retryAfter(code, now), userId === undefined ? 0 : this.users.retryAfter(userId, now));
  }

  failed(code: string, userId: string | undefined, now: number): void {
    this.codes.fail(code, now);
    if (userId !== undefined) this.users.fail(userId, now);
  }

  succeeded(code: string, userId: string): void {
    this.codes.clear(code);
    this.users.clear(userId);
  }
}
