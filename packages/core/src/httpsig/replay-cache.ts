/**
 * Replay defence inside the `created` window (wire notes §1.8): remember each accepted request
 * until its window closes, keyed by what was signed (`VerifiedRequest.replayKey`). The cache is
 * bounded: when full it refuses new requests rather than forgetting old ones, so memory stays
 * bounded without reopening the window to replays. An optional per-caller quota keeps one caller
 * from taking the whole cache.
 */
export interface ReplayCacheOptions {
  /** Seconds a request stays remembered (the verification window, both ways). Default 120. */
  readonly ttlSeconds?: number;
  /** Maximum remembered requests. Default 100 000. */
  readonly maxEntries?: number;
  /** Maximum remembered requests of one caller (see `check`). Default: no quota. */
  readonly maxPerCaller?: number;
}

/** `full`: the cache holds `maxEntries`; `over_quota`: this caller holds `maxPerCaller`. */
export type ReplayVerdict = 'fresh' | 'replayed' | 'full' | 'over_quota';

interface Entry {
  readonly expires: number;
  readonly caller: string | undefined;
}

export class ReplayCache {
  readonly #ttl: number;
  readonly #max: number;
  readonly #maxPerCaller: number;
  /** Insertion order is expiry order, since every entry has the same TTL. */
  readonly #seen = new Map<string, Entry>();
  /** Live entries per caller; a caller with none has no key here, so this is bounded by `#seen`. */
  readonly #perCaller = new Map<string, number>();

  constructor(options: ReplayCacheOptions = {}) {
    this.#ttl = options.ttlSeconds ?? 120;
    this.#max = options.maxEntries ?? 100_000;
    this.#maxPerCaller = options.maxPerCaller ?? Infinity;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Record `key` seen at `now` (seconds) for `caller` (counted against its quota) and say whether it was new. */
  check(key: string, now: number = Math.floor(Date.now() / 1000), caller?: string): ReplayVerdict {
    for (const [seen, entry] of this.#seen) {
      if (entry.expires > now) break;
      this.#seen.delete(seen);
      if (entry.caller !== undefined) this.#release(entry.caller);
    }
    if (this.#seen.has(key)) return 'replayed';
    if (this.#seen.size >= this.#max) return 'full';
    if (caller !== undefined) {
      const held = this.#perCaller.get(caller) ?? 0;
      if (held >= this.#maxPerCaller) return 'over_quota';
      this.#perCaller.set(caller, held + 1);
    }
    this.#seen.set(key, { expires: now + this.#ttl, caller });
    return 'fresh';
  }

  #release(caller: string): void {
    const held = (this.#perCaller.get(caller) ?? 1) - 1;
    if (held <= 0) this.#perCaller.delete(caller);
    else this.#perCaller.set(caller, held);
  }
}
