/**
 * Single-use `jti`s of resource tokens (2026-03 §Resource Tokens, c465b2d: the auth server SHOULD
 * remember seen `jti`s for the token's lifetime). Each entry is kept until the token's `exp` and
 * then forgotten. The store is bounded: when full of unexpired entries it refuses new ones rather
 * than forgetting live ones, so a flood can never reopen a replay window. Each agent holds at most
 * its share of the store, so one agent's flood refuses that agent only.
 */
import { AgentQuota } from './agent-quota.js';

export interface JtiStoreOptions {
  /** Maximum remembered `jti`s. Default 100 000. */
  readonly maxEntries?: number;
  /** Maximum remembered `jti`s per requesting agent. Default a tenth of `maxEntries`. */
  readonly maxPerAgent?: number;
}

/** `forgotten`: the token was issued before a shared store's memory began (see `SharedJtiStore`). */
export type JtiVerdict = 'fresh' | 'replayed' | 'full' | 'agent_full' | 'forgotten';

/**
 * Where used `jti`s are remembered: this process (`JtiStore`, answering at once) or a store
 * shared by several instances (`SharedJtiStore`). `issuedAt` (the token's `iat`) lets a shared
 * store refuse a token it cannot vouch for.
 */
export interface JtiLedger {
  use(issuer: string, jti: string, expiresAt: number, now: number, agent: string, issuedAt: number): JtiVerdict | Promise<JtiVerdict>;
}

interface Seen {
  readonly expiresAt: number;
  readonly agent: string;
}

export class JtiStore implements JtiLedger {
  readonly #max: number;
  readonly #quota: AgentQuota;
  readonly #seen = new Map<string, Seen>();
  /** Sweeps are O(size): at most one per clock second, however hard a full store is pushed. */
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: JtiStoreOptions = {}) {
    this.#max = options.maxEntries ?? 100_000;
    this.#quota = AgentQuota.shareOf(this.#max, options.maxPerAgent);
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Record (`issuer`, `jti`), presented by `agent`, until `expiresAt` (seconds) and say whether it was new. */
  use(issuer: string, jti: string, expiresAt: number, now: number, agent: string): JtiVerdict {
    const key = `${issuer}\n${jti}`;
    const known = this.#seen.get(key);
    if (known !== undefined && known.expiresAt >= now) return 'replayed';
    if (known !== undefined) this.#forget(key, known);
    if (this.#seen.size >= this.#max || this.#quota.full(agent)) this.#sweep(now);
    if (this.#seen.size >= this.#max) return 'full';
    if (this.#quota.full(agent)) return 'agent_full';
    this.#seen.set(key, { expiresAt, agent });
    this.#quota.add(agent);
    return 'fresh';
  }

  #forget(key: string, seen: Seen): void {
    this.#seen.delete(key);
    this.#quota.remove(seen.agent);
  }

  #sweep(now: number): void {
    if (now === this.#sweptAt) return;
    this.#sweptAt = now;
    for (const [key, seen] of this.#seen) if (seen.expiresAt < now) this.#forget(key, seen);
  }
}
