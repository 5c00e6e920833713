/**
 * A cache on a `SharedStore` that several instances fill for one another (verified-token
 * verdicts, fetched metadata and JWKS documents), which whoever can write to the store cannot
 * feed: every entry carries an HMAC-SHA-256 (RFC 2104) under a secret the instances share, over
 * the entry's key and value, so a planted, altered or moved entry does not verify and is ignored
 * (a `warn` line), and the caller does the work itself. A forged JWKS or verdict in Redis would
 * otherwise make every instance accept forged tokens, which a replay cache's entries cannot do.
 *
 * It is an optimisation, never a gate: a store that cannot be reached is a miss (one `warn` line
 * when it starts failing, not one per request), and a write that fails is dropped. After a
 * failure the store is left alone for a second, so a hung store (each call waiting out its
 * command timeout) slows one request a second, not every one. Writes are
 * bounded per instance (bytes per minute, and bytes per entry), so callers that choose the keys
 * (agent ids, agent tokens) cannot fill the store the replay cache shares.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AAuthLogger } from '../log/decision-log.js';
import { isSharedStore, type SharedStore } from './shared-store.js';

export interface SharedCacheOptions {
  /** The store every instance shares (`RedisStore` from `@aauth-ts/store-redis`). */
  readonly store: SharedStore;
  /** The instances' shared MAC key: at least 32 bytes (a string counts its UTF-8 bytes). */
  readonly secret: string | Uint8Array;
  /** Largest entry written or read, bytes. Default 64 KiB; larger values stay in this process. */
  readonly maxEntryBytes?: number;
  /** Bytes this instance writes per minute at most; beyond, values stay in this process. Default 4 MiB. */
  readonly maxWriteBytesPerMinute?: number;
}

/** Shortest secret accepted: the HMAC-SHA-256 key length (RFC 2104 §3: at least the output length). */
export const SHARED_CACHE_MIN_SECRET_BYTES = 32;

const KEY_PREFIX = 'cache:';
/** Domain separation: this MAC is over a cache entry, not anything else the secret might key. */
const MAC_CONTEXT = 'aauth-shared-cache-v1';
const WINDOW_MS = 60_000;
/** How long a failed store is not asked again. */
const BACKOFF_MS = 1000;

export class SharedCache {
  readonly #store: SharedStore;
  readonly #secret: Buffer;
  readonly #maxEntryBytes: number;
  readonly #budget: number;
  readonly #logger: AAuthLogger;
  readonly #component: string;
  #windowStart = 0;
  #written = 0;
  /** Whether the last store call failed: an outage is logged when it begins, not on every call. */
  #down = false;
  /** While `Date.now()` is before this, the store is not asked (see `BACKOFF_MS`). */
  #retryAt = 0;

  constructor(options: SharedCacheOptions, logger: AAuthLogger, component: string) {
    this.#store = options.store;
    this.#secret = Buffer.from(options.secret);
    this.#maxEntryBytes = options.maxEntryBytes ?? 64 * 1024;
    this.#budget = options.maxWriteBytesPerMinute ?? 4 * 1024 * 1024;
    this.#logger = logger;
    this.#component = component;
  }

  /** The value stored under `key` when its MAC verifies; undefined on a miss, a bad MAC or an outage. */
  async get(key: string): Promise<string | undefined> {
    const full = KEY_PREFIX + key;
    if (this.#resting()) return undefined;
    let entry: string | undefined;
    try {
      entry = await this.#store.get(full);
      this.#up();
    } catch (cause) {
      this.#failed(cause);
      return undefined;
    }
    if (entry === undefined) return undefined;
    const dot = entry.indexOf('.');
    const value = entry.slice(dot + 1);
    const mac = Buffer.from(entry.slice(0, Math.max(dot, 0)), 'base64url');
    const expected = this.#mac(full, value);
    if (dot < 0 || entry.length > this.#maxEntryBytes || mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
      this.#logger.warn({ component: this.#component, reason: 'bad_mac', key: full }, 'shared cache entry failed its MAC; ignored, the work is done afresh');
      return undefined;
    }
    return value;
  }

  /** Store `value` under `key` for `ttlMs`, MAC'd; silently kept local when too large, over budget or the store fails. */
  async put(key: string, value: string, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    const full = KEY_PREFIX + key;
    const entry = `${this.#mac(full, value).toString('base64url')}.${value}`;
    if (this.#resting() || entry.length > this.#maxEntryBytes || !this.#spend(entry.length + full.length)) return;
    try {
      await this.#store.put(full, entry, ttlMs);
      this.#up();
    } catch (cause) {
      this.#failed(cause);
    }
  }

  #mac(key: string, value: string): Buffer {
    return createHmac('sha256', this.#secret).update(MAC_CONTEXT).update('\0').update(key).update('\0').update(value).digest();
  }

  #spend(bytes: number): boolean {
    const now = Date.now();
    if (now - this.#windowStart >= WINDOW_MS) {
      this.#windowStart = now;
      this.#written = 0;
    }
    if (this.#written + bytes > this.#budget) return false;
    this.#written += bytes;
    return true;
  }

  #resting(): boolean {
    return this.#down && Date.now() < this.#retryAt;
  }

  #up(): void {
    this.#down = false;
  }

  #failed(cause: unknown): void {
    this.#retryAt = Date.now() + BACKOFF_MS;
    if (this.#down) return;
    this.#down = true;
    this.#logger.warn({ component: this.#component, reason: 'store_unavailable', diagnostic: cause instanceof Error ? cause.message : String(cause) },
      'shared cache unavailable; verifying locally until it answers again');
  }
}

/**
 * `options` checked once, at construction: a `SharedStore` and a secret of at least 32 bytes.
 * `where` names the option in the `TypeError` (`aauth: "sharedCache"`).
 */
export function checkSharedCacheOptions(options: unknown, where: string): SharedCacheOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} must be { store, secret }`);
  const o = options as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!['store', 'secret', 'maxEntryBytes', 'maxWriteBytesPerMinute'].includes(name)) throw new TypeError(`${where}: unknown option "${name}"`);
  }
  if (!isSharedStore(o.store)) throw new TypeError(`${where}.store must be a SharedStore (RedisStore from @aauth-ts/store-redis)`);
  const secret = o.secret;
  const bytes = typeof secret === 'string' ? Buffer.byteLength(secret) : secret instanceof Uint8Array ? secret.byteLength : -1;
  if (bytes < SHARED_CACHE_MIN_SECRET_BYTES) {
    throw new TypeError(`${where}.secret must be a string or bytes of at least ${SHARED_CACHE_MIN_SECRET_BYTES} bytes, the same on every instance`);
  }
  for (const name of ['maxEntryBytes', 'maxWriteBytesPerMinute'] as const) {
    const v = o[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) throw new TypeError(`${where}.${name} must be a positive integer`);
  }
  return options as SharedCacheOptions;
}
