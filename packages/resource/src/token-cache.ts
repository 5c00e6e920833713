/**
 * Verified tokens, kept by SHA-256 of the compact JWT until their `exp` (2026-03 §JWKS Caching
 * keeps keys; this keeps the verdict), so a warm request costs one HTTP signature verification.
 * Bounded: the oldest entry goes first when full. Only verdicts that depend on nothing but the
 * token and this resource's fixed configuration are kept; the binding to the request's signing
 * key (`cnf.jwk`) is checked by the HTTP signature on every request.
 */
import { createHash } from 'node:crypto';

export class VerifiedTokenCache<T> {
  readonly #max: number;
  readonly #entries = new Map<string, { readonly value: T; readonly expiresAt: number }>();

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get(token: string, now: number): T | undefined {
    const key = VerifiedTokenCache.keyOf(token);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(token: string, value: T, expiresAt: number, now: number): void {
    if (expiresAt <= now) return;
    const key = VerifiedTokenCache.keyOf(token);
    this.#entries.delete(key);
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt });
  }
}
