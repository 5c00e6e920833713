/**
 * Verified-token verdicts shared by the instances of one resource through a core `SharedCache`:
 * a token one instance verified is taken by another without the signature check or the
 * issuer's key fetch. The entry is found by the whole token's SHA-256, never by a slice, and its
 * MAC (see `SharedCache`) covers that hash, what the middleware uses of the token (the caller
 * information and claims), the key the request must be signed with (`cnf.jwk` and its RFC 7638
 * thumbprint), the signing key's `kid` and the expiry; a verdict that does not verify is ignored
 * and the token verified afresh. The key's binding to the request is still checked by the HTTP
 * signature on every request, as with the in-process cache.
 *
 * Lifetime: until the token's `exp`, and never longer than this resource keeps a fetched JWKS
 * (`fetcher.ttlMs`): a key removed from its issuer's JWKS then stops being honoured through the
 * shared cache no later than a fresh fetch would notice, wherever the verdict is read.
 * Verdicts are namespaced by what verification depended on (this resource's identifier, profiles,
 * trusted issuers, identifier policy), so a resource configured otherwise never takes them.
 */
import { createHash } from 'node:crypto';
import { jwkThumbprint, type PublicJwk, type SharedCache } from '@aauth-ts/core';
import type { ResolvedOptions } from './options.js';
import type { CachedToken, CallerInfo } from './resolve-key.js';

/** What is stored: everything the MAC covers. */
interface Verdict {
  /** SHA-256 of the whole token. */
  readonly token: string;
  /** The token's protected-header `kid` (which issuer key signed it), null without one. */
  readonly kid: string | null;
  /** Seconds since the epoch, by this resource's clock. */
  readonly expiresAt: number;
  readonly thumbprint: string;
  readonly jwk: PublicJwk;
  /** `CallerInfo` without `authToken` (the presented token is put back: it is the one hashed). */
  readonly info: Omit<CallerInfo, 'authToken'>;
  readonly carriesToken: boolean;
}

export class SharedVerdicts {
  readonly #cache: SharedCache;
  readonly #scope: string;
  readonly #keyTtlSeconds: number;

  constructor(cache: SharedCache, options: ResolvedOptions, keyTtlSeconds: number) {
    this.#cache = cache;
    this.#keyTtlSeconds = keyTtlSeconds;
    const basis = { resource: options.resource, profiles: options.profiles, trustedIssuers: options.trustedIssuers, trustedPersonServers: options.trustedPersonServers, identifiers: options.identifiers };
    this.#scope = sha256(JSON.stringify(basis)).slice(0, 22);
  }

  #key(hash: string): string {
    return `verdict:${this.#scope}:${hash}`;
  }

  /** A verdict for exactly `token`, still live at `now`, and until when (seconds); undefined otherwise. */
  async get(token: string, now: number): Promise<{ readonly value: CachedToken; readonly expiresAt: number } | undefined> {
    const hash = sha256(token);
    const text = await this.#cache.get(this.#key(hash));
    if (text === undefined) return undefined;
    let verdict: Verdict;
    try {
      verdict = JSON.parse(text) as Verdict;
    } catch {
      return undefined;
    }
    if (verdict.token !== hash || !(verdict.expiresAt > now) || jwkThumbprint(verdict.jwk) !== verdict.thumbprint) return undefined;
    const info: CallerInfo = verdict.carriesToken ? { ...verdict.info, authToken: token } : verdict.info;
    return { value: { jwk: Object.freeze(verdict.jwk), info }, expiresAt: verdict.expiresAt };
  }

  /** Share the verdict on `token` (valid until `exp`), for at most the key cache's TTL. */
  async put(token: string, value: CachedToken, exp: number, now: number): Promise<void> {
    const expiresAt = Math.min(exp, now + this.#keyTtlSeconds);
    if (expiresAt <= now) return;
    const { authToken, ...info } = value.info;
    const hash = sha256(token);
    const verdict: Verdict = { token: hash, kid: headerKid(token), expiresAt, thumbprint: jwkThumbprint(value.jwk), jwk: value.jwk, info, carriesToken: authToken === token };
    await this.#cache.put(this.#key(hash), JSON.stringify(verdict), (expiresAt - now) * 1000);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** The protected header's `kid` of a token that verified (so its header is JSON). */
function headerKid(token: string): string | null {
  const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as { kid?: unknown };
  return typeof header.kid === 'string' ? header.kid : null;
}
