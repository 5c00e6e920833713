/**
 * Which person each directed `sub` the Person Server issued names (draft-hardt-oauth-aauth-protocol
 * §Person Token Endpoint: with `upstream_token` "the PS issues for the person the upstream token was
 * issued for, determined from the upstream token's `sub`, which this PS MUST have issued"). A `sub`
 * is an HMAC of (resource, user id) and cannot be inverted, so every person token and auth token
 * the PS issues writes (audience, sub) → user id here, and a chained request reads it back.
 *
 * The methods are async so the index can live in a shared store beside the person-token records.
 * In memory it is bounded: when full, the entry written longest ago is forgotten (a chain naming a
 * forgotten subject is refused, never misattributed); each write refreshes its entry.
 */

export interface DirectedSubjectsOptions {
  /** Default 100 000. */
  readonly maxEntries?: number;
}

export class DirectedSubjects {
  readonly #max: number;
  readonly #users = new Map<string, string>();

  constructor(options: DirectedSubjectsOptions = {}) {
    this.#max = options.maxEntries ?? 100_000;
  }

  /** Record that `sub`, issued for `audience`, names realm user `userId`. */
  remember(audience: string, sub: string, userId: string): Promise<void> {
    const key = DirectedSubjects.#key(audience, sub);
    this.#users.delete(key);
    if (this.#users.size >= this.#max) {
      const oldest = this.#users.keys().next();
      if (oldest.done !== true) this.#users.delete(oldest.value);
    }
    this.#users.set(key, userId);
    return Promise.resolve();
  }

  /** The realm user `sub` names at `audience`, or undefined when this Person Server issued no such pair. */
  personOf(audience: string, sub: string): Promise<string | undefined> {
    return Promise.resolve(this.#users.get(DirectedSubjects.#key(audience, sub)));
  }

  get size(): number {
    return this.#users.size;
  }

  // A NUL cannot occur in a server identifier, so the pair is unambiguous.
  static #key(audience: string, sub: string): string {
    return `${audience}\u0000${sub}`;
  }
}
