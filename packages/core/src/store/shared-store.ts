/**
 * Where single-use state lives when several processes must agree on it: a resource's replay
 * cache and an auth server's `jti`s and pending requests. Run two instances of a resource with
 * private memory and a captured POST replays on the other one; give both the same store and each
 * signature is accepted once (2026-03 §Replay Protection; auth-server contract "Several instances").
 *
 * Values are strings (callers serialise); every entry has a time to live, so the store forgets
 * by itself what no longer matters. Each call is atomic on its own. Implementations:
 * `MemoryStore` (this process only, bounded) and `RedisStore` in `@aauth-ts/store-redis`.
 * Key families are namespaced by their owner (`replay:`, `jti:`, `pending:`, …), so one store
 * serves a resource, an auth server and any later state (missions, person-token records) at once.
 */
import { AAuthError } from '../errors.js';
import type { AAuthLogger } from '../log/decision-log.js';
import { PROFILE } from '../profile/index.js';

export interface SharedStore {
  /**
   * Remember `key` → `value` for `ttlMs` unless `key` is already remembered ("remember once until
   * T"): true when this call stored it, false when it was there. The single-use check of every
   * replay defence.
   */
  add(key: string, value: string, ttlMs: number): Promise<boolean>;
  get(key: string): Promise<string | undefined>;
  /** Store `key` → `value` for `ttlMs`, whatever was there. */
  put(key: string, value: string, ttlMs: number): Promise<void>;
  /** Forget `key`: true when it was there. */
  delete(key: string): Promise<boolean>;
  /**
   * Compare and set: while `key` still holds `expected`, replace it by `next` for `ttlMs` (or forget
   * it when `next` is undefined); true when replaced. State transitions of a record read earlier
   * (a pending request approved on one instance and polled on another) go through this, so two
   * instances acting on the same state cannot both win.
   */
  swap(key: string, expected: string, next: string | undefined, ttlMs: number): Promise<boolean>;
  /**
   * Milliseconds since the epoch from which this store's memory is complete: when it started, or
   * when it came back empty (Redis restarted without persistence). A single-use check of something
   * made before then cannot know whether it was used already, so the caller refuses it: after a
   * store loses its memory, nothing is accepted twice.
   */
  rememberedSince(): Promise<number>;
}

/** The store could not answer (down, timed out, full): the request is refused, never waved through. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly code: 'store_unavailable' | 'store_full';
  constructor(code: 'store_unavailable' | 'store_full', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Seconds a client is told to wait after a store outage (`Retry-After`). */
export const STORE_RETRY_AFTER_SECONDS = 1;

/**
 * Await a store call; a failure is a `warn` line on `logger` and a `503 temporarily_unavailable`
 * with `Retry-After` (fail closed: a request whose single use cannot be checked is not accepted).
 * `what` names the state in the sentence, e.g. "the replay cache".
 */
export async function guardStoreCall<T>(call: Promise<T>, logger: AAuthLogger, component: string, what: string): Promise<T> {
  try {
    return await call;
  } catch (cause) {
    if (cause instanceof AAuthError) throw cause;
    const reason = cause instanceof StoreUnavailableError ? cause.code : 'store_unavailable';
    logger.warn({ component, reason, store: what, diagnostic: cause instanceof Error ? cause.message : String(cause) }, 'shared store unavailable; request refused');
    throw new AAuthError('temporarily_unavailable', `${what} cannot be reached right now, so this request cannot be checked; retry shortly`, { reason, cause },
      { status: 503, headers: { [PROFILE.headers.retryAfter]: String(STORE_RETRY_AFTER_SECONDS) } });
  }
}

/** Does `value` look like a `SharedStore` (options are checked once, at construction)? */
export function isSharedStore(value: unknown): value is SharedStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Record<string, unknown>;
  return ['add', 'get', 'put', 'delete', 'swap', 'rememberedSince'].every((name) => typeof store[name] === 'function');
}
