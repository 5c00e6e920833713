/**
 * Replay defence inside the `created` window (wire notes §1.8): remember each accepted signature
 * until its window closes, keyed by the signature bytes (unique per key, `created` and base). The
 * cache is bounded: when full it refuses new signatures rather than forgetting old ones, so memory
 * stays bounded without reopening the window to replays.
 */
export interface ReplayCacheOptions {
  /** Seconds a signature stays remembered (the verification window, both ways). Default 120. */
  readonly ttlSeconds?: number;
  /** Maximum remembered signatures. Default 100 000. */
  readonly maxEntries?: number;
}

export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

export class ReplayCache {
  readonly #ttl: number;
  readonly #max: number;
  /** Insertion order is expiry order, since every entry has the same TTL. */
  readonly #seen = new Map<string, number>();

  constructor(options: ReplayCacheOptions = {}) {
    this.#ttl = options.ttlSeconds ?? 120;
    this.#max = options.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Record `signature` seen at `now` (seconds) and say whether it was new. */
  check(signature: string, now: number = Math.floor(Date.now() / 1000)): ReplayVerdict {
    for (const [key, expires] of this.#seen) {
      if (expires > now) break;
      this.#seen.delete(key);
    }
    if (this.#seen.has(signature)) return 'replayed';
    if (this.#seen.size >= this.#max) return 'full';
    this.#seen.set(signature, now + this.#ttl);
    return 'fresh';
  }
}
