/**
 * Single-use `jti`s of resource tokens (2026-03 §Resource Tokens, c465b2d: the auth server SHOULD
 * remember seen `jti`s for the token's lifetime). Each entry is kept until the token's `exp` and
 * then forgotten. The store is bounded: when full of unexpired entries it refuses new ones rather
 * than forgetting live ones, so a flood can never reopen a replay window.
 */
export interface JtiStoreOptions {
  /** Maximum remembered `jti`s. Default 100 000. */
  readonly maxEntries?: number;
}

export type JtiVerdict = 'fresh' | 'replayed' | 'full';

export class JtiStore {
  readonly #max: number;
  readonly #seen = new Map<string, number>();

  constructor(options: JtiStoreOptions = {}) {
    this.#max = options.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Record (`issuer`, `jti`) until `expiresAt` (seconds) and say whether it was new. */
  use(issuer: string, jti: string, expiresAt: number, now: number = Math.floor(Date.now() / 1000)): JtiVerdict {
    const key = `${issuer}\n${jti}`;
    const known = this.#seen.get(key);
    if (known !== undefined && known >= now) return 'replayed';
    if (this.#seen.size >= this.#max) this.#sweep(now);
    if (this.#seen.size >= this.#max) return 'full';
    this.#seen.set(key, expiresAt);
    return 'fresh';
  }

  #sweep(now: number): void {
    for (const [key, expires] of this.#seen) if (expires < now) this.#seen.delete(key);
  }
}
