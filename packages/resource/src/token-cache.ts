/**
 * Verified tokens, kept by SHA-256 of the compact JWT until their `exp` (2026-03 §JWKS Caching
 * keeps keys; this keeps the verdict), so a warm request costs one HTTP signature verification.
 * Anyone running an agent server can mint valid agent tokens at will, so the cache is bounded by
 * entries and bytes, least recently used first. Only verdicts that depend on nothing but the
 * token and this resource's fixed configuration are kept; the binding to the request's signing
 * key (`cnf.jwk`) is checked by the HTTP signature on every request.
 */
import { createHash } from 'node:crypto';
import { BoundedCache, type BoundedCacheLimits } from '@aauth-ts/core';

/** A verdict holds the decoded claims and, for auth tokens, the token itself: about twice its text. */
const PER_TOKEN_CHAR = 2;
const PER_ENTRY = 512;

export class VerifiedTokenCache<T> {
  readonly #entries: BoundedCache<{ readonly value: T; readonly expiresAt: number }>;

  constructor(limits: BoundedCacheLimits) {
    this.#entries = new BoundedCache(limits);
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#entries.bytes;
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
    this.#entries.set(VerifiedTokenCache.keyOf(token), { value, expiresAt }, token.length * PER_TOKEN_CHAR + PER_ENTRY);
  }
}
