/**
 * Person tokens held by a client in the current profile (draft-hardt-oauth-aauth-protocol §Person
 * Token Endpoint: "An agent SHOULD cache a person token for a resource until it expires … an agent
 * working across several resources or several concurrent missions holds one per combination"),
 * keyed by (resource, mission, upstream token), with single flight: concurrent `person-token` requirements for one
 * key cause one request to the person server.
 */

export interface CachedPersonToken {
  readonly personToken: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  /** The person token's directed `sub` (what resource and auth tokens must repeat). */
  readonly sub: string;
}

/** `upstreamHash`: SHA-256 of the upstream token (call chaining), so two users' person tokens never mix. */
export function personTokenKey(resource: string, missionS256: string | undefined, upstreamHash = ''): string {
  return JSON.stringify([resource, missionS256 ?? '', upstreamHash]);
}

export class PersonTokenCache {
  readonly #entries = new Map<string, CachedPersonToken>();
  readonly #inFlight = new Map<string, Promise<CachedPersonToken>>();
  readonly #max: number;

  constructor(maxEntries = 1000) {
    this.#max = maxEntries;
  }

  /** The held token for `key` if it is still valid at `now`. */
  get(key: string, now: number): CachedPersonToken | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt > now) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, entry: CachedPersonToken): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    // Too many: drop the least recently stored (Map keeps insertion order).
    for (const old of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(old);
    }
  }

  /** Forget `key`'s token if it is `token` (a resource refused it). */
  drop(key: string, token: string): void {
    if (this.#entries.get(key)?.personToken === token) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  singleFlight(key: string, work: () => Promise<CachedPersonToken>): Promise<CachedPersonToken> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    const promise = work().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }
}
