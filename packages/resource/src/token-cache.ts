/**
 * Verified tokens, kept until their `exp` and never longer than the key cache keeps the issuer's
 * JWKS (2026-03 §JWKS Caching keeps keys; this keeps the verdict), so a warm request costs one HTTP
 * signature verification, and a key its issuer removed stops being honoured here no later than a
 * fresh fetch would notice (as `SharedVerdicts` does). The bound is applied when a verdict is
 * stored: a hit costs one number comparison. Entries are found by the
 * JWS signature segment (RFC 7515 §7.1), a short slice that is distinct for distinct signed
 * tokens, instead of hashing the whole token on every request; the caller chooses that segment,
 * so a hit counts only when the whole token is the one verified (one string comparison): any
 * other header, payload or signature is a miss and is verified afresh.
 * Anyone running an agent server can mint valid agent tokens at will, so the cache is bounded by
 * entries and bytes, least recently used first. Only verdicts that depend on nothing but the
 * token and this resource's fixed configuration are kept; the binding to the request's signing
 * key (`cnf.jwk`) is checked by the HTTP signature on every request.
 */
import { BoundedCache, type BoundedCacheLimits } from '@aauth-ts/core';

/** A verdict holds the token and its decoded claims (auth tokens keep the same string): about twice its text. */
const PER_TOKEN_CHAR = 2;
const PER_ENTRY = 512;

export class VerifiedTokenCache<T> {
  readonly #entries: BoundedCache<{ readonly token: string; readonly value: T; readonly expiresAt: number }>;
  /** Seconds a verdict is kept at most after it is stored (the key cache's TTL). */
  readonly #maxAgeSeconds: number;

  constructor(limits: BoundedCacheLimits, maxAgeSeconds: number) {
    this.#entries = new BoundedCache(limits);
    this.#maxAgeSeconds = maxAgeSeconds;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#entries.bytes;
  }

  /** The signature segment: what follows the last `.` (the whole text when there is none). */
  static keyOf(token: string): string {
    return token.slice(token.lastIndexOf('.') + 1);
  }

  get(token: string, now: number): T | undefined {
    const key = VerifiedTokenCache.keyOf(token);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keep the verdict on `token` until `exp` (seconds), for at most `maxAgeSeconds` from `now`. */
  set(token: string, value: T, exp: number, now: number): void {
    const expiresAt = Math.min(exp, now + this.#maxAgeSeconds);
    if (expiresAt <= now) return;
    this.#entries.set(VerifiedTokenCache.keyOf(token), { token, value, expiresAt }, token.length * PER_TOKEN_CHAR + PER_ENTRY);
  }
}
