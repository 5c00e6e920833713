/**
 * Per-agent shares of a bounded store: how many entries each agent holds, so one registered agent
 * filling the store cannot lock every other agent out (auth-server contract, "Bounded stores").
 * The store itself decides what an entry is and when it goes; this only counts.
 */
export class AgentQuota {
  readonly #max: number;
  readonly #held = new Map<string, number>();

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`a per-agent quota must be a positive integer, got ${max}`);
    this.#max = max;
  }

  /** Default share: a tenth of the store, at least one. */
  static shareOf(maxEntries: number, explicit: number | undefined): AgentQuota {
    return new AgentQuota(explicit ?? Math.max(1, Math.floor(maxEntries / 10)));
  }

  full(agent: string): boolean {
    return (this.#held.get(agent) ?? 0) >= this.#max;
  }

  add(agent: string): void {
    this.#held.set(agent, (this.#held.get(agent) ?? 0) + 1);
  }

  remove(agent: string): void {
    const held = (this.#held.get(agent) ?? 0) - 1;
    if (held > 0) this.#held.set(agent, held);
    else this.#held.delete(agent);
  }
}
