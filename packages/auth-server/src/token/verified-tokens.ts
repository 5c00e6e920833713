/**
 * Verdicts of the stateless checks of tokens that recur on every request: an agent's `agent+jwt`
 * (the Signature-Key of each of its requests) and an intermediary's `upstream_token` (the auth
 * token its caller presents for the token's lifetime). A verdict saves the token's signature
 * verification and decoding; nothing else is skipped:
 *  - it is found by the JWS signature segment (RFC 7515 §7.1) and counts only when the whole token
 *    is the one verified (one string comparison), so any other header or payload is verified afresh;
 *  - it ends at the token's `exp` (a later request is verified in full, with the clock skew);
 *  - it holds only while the issuer's key source still gives the very key the token verified with:
 *    the source is asked on every hit (its metadata and JWKS caches answer), so a key rotated out of
 *    the issuer's JWKS ends the verdict when the JWKS cache is refreshed, as without verdicts
 *    (2026-03 §JWKS Caching);
 *  - checks that depend on the request (the requester, the realm's users and agents) are the
 *    caller's, on every request; `fits` names those a hit must pass or be verified in full;
 *  - the claims are frozen: every request that presents the token shares them.
 * Anyone running an agent server can mint valid tokens at will, so the verdicts are bounded by
 * entries and bytes, least recently used first.
 */
import type { KeyObject } from 'node:crypto';
import { BoundedCache, isThenable, type BoundedCacheLimits, type IssuerKeySource, type PublicJwk } from '@aauth-ts/core';

type IssuerKey = KeyObject | PublicJwk;
type KeyLookup = Parameters<IssuerKeySource['getKey']>;

interface Verdict<T> {
  readonly token: string;
  readonly claims: T;
  /** `exp`, seconds. */
  readonly expiresAt: number;
  /** When it was verified: a clock that went back (an injected `now`) verifies afresh. */
  readonly verifiedAt: number;
  readonly lookup: KeyLookup;
  readonly key: IssuerKey;
}

/** A verdict holds the token and its decoded claims: about twice its text. */
const PER_TOKEN_CHAR = 2;
const PER_ENTRY = 512;
export const VERIFIED_TOKEN_LIMITS: BoundedCacheLimits = { maxEntries: 10_000, maxBytes: 32 * 1024 * 1024 };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

export class VerifiedTokens<T extends { readonly exp: number }> {
  readonly #entries: BoundedCache<Verdict<T>>;

  constructor(limits: BoundedCacheLimits = VERIFIED_TOKEN_LIMITS) {
    this.#entries = new BoundedCache(limits);
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The claims of `token`: its kept verdict when one holds (see the module comment) and passes
   * `fits`, else `verify(keys)`, whose claims are kept when its key source was asked for one key.
   * `verify` gets a key source that records which key it was given; it throws what it refuses.
   * A kept verdict is answered without a promise when the key source answers at once
   * (`getKeyNow`); a verification always answers with one.
   */
  claims(token: string, keys: IssuerKeySource, now: number, verify: (keys: IssuerKeySource) => Promise<T>, fits: (claims: T) => boolean = () => true): T | Promise<T> {
    const key = token.slice(token.lastIndexOf('.') + 1);
    const kept = this.#entries.get(key);
    if (kept !== undefined && kept.token === token && fits(kept.claims)) {
      if (now >= kept.verifiedAt && now < kept.expiresAt) {
        const served = servedKey(kept, keys);
        if (isThenable(served)) return served.then((current) => this.#keptOrVerified(key, kept, current, keys, now, verify));
        return this.#keptOrVerified(key, kept, served, keys, now, verify);
      }
      this.#entries.delete(key);
    }
    return this.#verify(key, token, keys, now, verify);
  }

  /** The kept claims while the key source still gives the very key they were verified with, else a verification. */
  #keptOrVerified(key: string, kept: Verdict<T>, current: IssuerKey | undefined, keys: IssuerKeySource, now: number, verify: (keys: IssuerKeySource) => Promise<T>): T | Promise<T> {
    if (current === kept.key) return kept.claims;
    this.#entries.delete(key);
    return this.#verify(key, kept.token, keys, now, verify);
  }

  async #verify(key: string, token: string, keys: IssuerKeySource, now: number, verify: (keys: IssuerKeySource) => Promise<T>): Promise<T> {
    let used: { lookup: KeyLookup; key: IssuerKey } | undefined;
    let lookups = 0;
    const recording: IssuerKeySource = {
      async getKey(...lookup) {
        lookups += 1;
        const issuerKey = await keys.getKey(...lookup);
        used = { lookup, key: issuerKey };
        return issuerKey;
      },
    };
    const claims = deepFreeze(await verify(recording));
    if (used !== undefined && lookups === 1 && claims.exp > now) {
      this.#entries.set(key, { token, claims, expiresAt: claims.exp, verifiedAt: now, lookup: used.lookup, key: used.key }, token.length * PER_TOKEN_CHAR + PER_ENTRY);
    } else {
      this.#entries.delete(key);
    }
    return claims;
  }
}

/**
 * The key the source gives now for a verdict's lookup, undefined when it gives none (the key is
 * gone or cannot be had now: verify in full, which says why). At once when the source can answer
 * at once (`getKeyNow`).
 */
function servedKey(kept: Verdict<unknown>, keys: IssuerKeySource): IssuerKey | undefined | Promise<IssuerKey | undefined> {
  let answer: IssuerKey | PromiseLike<IssuerKey>;
  try {
    answer = keys.getKeyNow === undefined ? keys.getKey(...kept.lookup) : keys.getKeyNow(...kept.lookup);
  } catch {
    return undefined;
  }
  return isThenable(answer) ? Promise.resolve(answer).then((key) => key, () => undefined) : answer;
}
