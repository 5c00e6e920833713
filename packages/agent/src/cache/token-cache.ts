/**
 * Auth tokens held by a client, keyed by (auth server, resource, scope, upstream token), and the
 * exchanges in flight under the same key (single flight: N concurrent 401s for one key cause one
 * token request; every waiter gets its result or its error). The upstream token is keyed by its
 * SHA-256, so two users' chained calls never share a token. No module state: one cache per client.
 */
import { hash } from 'node:crypto';

export interface CachedToken {
  readonly authToken: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly authServer: string;
  readonly resource: string;
  readonly scope: string;
  readonly upstreamHash: string;
}

export interface TokenKeyParts {
  readonly authServer: string;
  readonly resource: string;
  readonly scope: string;
  readonly upstreamHash: string;
}

export function upstreamHash(upstreamToken: string | undefined): string {
  return upstreamToken === undefined ? '' : hash('sha256', upstreamToken, 'base64url');
}

export function tokenKey(parts: TokenKeyParts): string {
  return JSON.stringify([parts.authServer, parts.resource, parts.scope.split(' ').filter(Boolean).sort().join(' '), parts.upstreamHash]);
}

function resourceKey(resource: string, hash: string): string {
  return JSON.stringify([resource, hash]);
}

export class TokenCache {
  readonly #entries = new Map<string, CachedToken>();
  /** (resource, upstream) → key of the token last obtained for it, used before any challenge. */
  readonly #latest = new Map<string, string>();
  readonly #inFlight = new Map<string, Promise<CachedToken | undefined>>();
  readonly #max: number;

  constructor(maxEntries = 1000) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): CachedToken | undefined {
    return this.#entries.get(key);
  }

  /** The token last stored for this resource and upstream token, if any. */
  forResource(resource: string, hash: string): { key: string; entry: CachedToken } | undefined {
    const key = this.#latest.get(resourceKey(resource, hash));
    const entry = key === undefined ? undefined : this.#entries.get(key);
    return key !== undefined && entry !== undefined ? { key, entry } : undefined;
  }

  set(entry: CachedToken, now: number): string {
    const key = tokenKey(entry);
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#latest.set(resourceKey(entry.resource, entry.upstreamHash), key);
    if (this.#entries.size > this.#max) this.#prune(now);
    return key;
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    if (entry) {
      const rk = resourceKey(entry.resource, entry.upstreamHash);
      if (this.#latest.get(rk) === key) this.#latest.delete(rk);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#latest.clear();
  }

  /** Run `work` unless one is already running for `key`; all callers share its outcome. */
  singleFlight(key: string, work: () => Promise<CachedToken | undefined>): Promise<CachedToken | undefined> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    const promise = work().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  inFlight(key: string): boolean {
    return this.#inFlight.has(key);
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.delete(key);
    // Still too many: drop the least recently stored (Map keeps insertion order).
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.delete(key);
    }
  }
}
