/**
 * `SharedStore` on Redis, so several resource or auth-server instances share their single-use
 * state. Every operation is atomic: remembering once is `SET NX PX` in a Lua script that also
 * reads the marker of when Redis's memory began (so a flush is seen by the add it would fool), and
 * compare and set is a Lua script (Redis runs a script without interleaving other clients' commands).
 *
 * Outages fail closed: the client does not queue commands while disconnected and gives up on a
 * command after `commandTimeoutMs`, so a call rejects promptly instead of hanging, and the caller
 * answers 503 (see core `guardStoreCall`). The client keeps reconnecting in the background, so
 * service resumes by itself once Redis is back.
 */
import { StoreUnavailableError, type SharedStore } from '@aauth-ts/core';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisStoreOptions {
  /** Prefix of every key (several applications can share one Redis). Default `aauth:`. */
  readonly keyPrefix?: string;
  /** A command not answered within this many milliseconds fails (503 to the client). Default 1000. */
  readonly commandTimeoutMs?: number;
  /** Connecting gives up after this many milliseconds (then retried in the background). Default 2000. */
  readonly connectTimeoutMs?: number;
  /** Further `ioredis` options (TLS, password, database, …); the outage behaviour above wins. */
  readonly redis?: RedisOptions;
}

/** KEYS[1] = key; ARGV = expected, next ('' with ARGV[3] = '0' deletes), ttl ms, set flag. */
const SWAP_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[4] == '1' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) else redis.call('DEL', KEYS[1]) end
return 1`;

/**
 * Remember once, and say when Redis's memory began, in one script: KEYS[1] = key, KEYS[2] = the
 * marker (`{prefix}since`); ARGV = value, ttl ms, now ms. A marker gone while Redis kept running
 * (`FLUSHALL`, `FLUSHDB`) is written again with now, so the caller (and, on its next add, every
 * other instance) learns at once that what came before may have been used: a flush is detected
 * by the very command that would otherwise accept a replay, at the cost of one `GET` inside it.
 */
const ADD_SCRIPT = `
local since = redis.call('GET', KEYS[2])
if not since then
  redis.call('SET', KEYS[2], ARGV[3])
  since = ARGV[3]
end
local added = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
if added then return {1, since} end
return {0, since}`;

/** Redis refuses a PX of 0 or below; an entry that should already be gone lives 1 ms. */
function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

export class RedisStore implements SharedStore {
  readonly client: Redis;
  readonly #prefix: string;
  /**
   * When Redis's memory of our keys began (`rememberedSince`); undefined while that is not known
   * (connecting, reconnecting), and then every call is refused: between a restart and the check
   * below, a fresh-looking `SET NX` could be a replay that the lost dataset had seen.
   */
  #since: number | undefined;

  /** A store on a connected `client`; prefer `RedisStore.connect`, which sets the outage behaviour. */
  private constructor(client: Redis, options: Pick<RedisStoreOptions, 'keyPrefix'> = {}) {
    this.client = client;
    this.#prefix = options.keyPrefix ?? 'aauth:';
    client.defineCommand('aauthSwap', { numberOfKeys: 1, lua: SWAP_SCRIPT });
    client.defineCommand('aauthAdd', { numberOfKeys: 2, lua: ADD_SCRIPT });
    const forget = (): void => { this.#since = undefined; };
    client.on('close', forget);
    client.on('reconnecting', forget);
    client.on('ready', () => { void this.#learnSince().catch(() => undefined); });
  }

  /**
   * Redis keeps a marker key, `{prefix}since`, holding when its dataset began (written once, with
   * `SET NX`). A Redis that restarted empty has none: the first instance to reconnect writes the
   * time it did, and everything made before that is refused by the callers (`rememberedSince`).
   * One emptied while running is caught by `add` (see `ADD_SCRIPT`).
   */
  async #learnSince(): Promise<void> {
    const key = this.#sinceKey;
    await this.client.set(key, String(Date.now()), 'NX');
    this.#since = marker(await this.client.get(key));
  }

  get #sinceKey(): string {
    return `${this.#prefix}since`;
  }

  /** Connect to `url` (`redis://host:port/db`) and resolve once Redis answers. */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const client = new Redis(url, {
      ...options.redis,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      // Reconnect forever, backing off to one attempt a second.
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    });
    // Errors surface on each command; the client's own error events would otherwise be unhandled.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (cause) {
      client.disconnect();
      throw new StoreUnavailableError('store_unavailable', `Redis at ${redactUrl(url)} did not answer`, { cause });
    }
    const store = new RedisStore(client, options);
    try {
      await store.#learnSince();
    } catch (cause) {
      client.disconnect();
      throw new StoreUnavailableError('store_unavailable', `Redis at ${redactUrl(url)} did not answer`, { cause });
    }
    return store;
  }

  rememberedSince(): Promise<number> {
    return this.#since === undefined ? Promise.reject(unsure()) : Promise.resolve(this.#since);
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean> {
    const [added, since] = await this.#call(() => (this.client as Redis & ScriptCommands).aauthAdd(this.#prefix + key, this.#sinceKey, value, String(ttl(ttlMs)), String(Date.now())));
    // A marker newer than ours: Redis was emptied since we last looked (restart or flush).
    const began = marker(since);
    if (began !== undefined && began > (this.#since ?? 0)) this.#since = began;
    return added === 1;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#call(() => this.client.get(this.#prefix + key))) ?? undefined;
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#call(() => this.client.set(this.#prefix + key, value, 'PX', ttl(ttlMs)));
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#call(() => this.client.del(this.#prefix + key))) > 0;
  }

  async swap(key: string, expected: string, next: string | undefined, ttlMs: number): Promise<boolean> {
    const swapped = await this.#call(() => (this.client as Redis & ScriptCommands).aauthSwap(this.#prefix + key, expected, next ?? '', String(ttl(ttlMs)), next === undefined ? '0' : '1'));
    return swapped === 1;
  }

  /** Close the connection. */
  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    if (this.#since === undefined) throw unsure();
    try {
      return await command();
    } catch (cause) {
      // The connection is gone (the 'close' event may still be on its way): until Redis is back
      // and the marker read again, nothing can be vouched for.
      if (this.client.status !== 'ready' || !this.client.stream.writable) this.#since = undefined;
      // `OOM command not allowed` under `maxmemory` + `noeviction`: full, never evicting live entries.
      const full = cause instanceof Error && cause.message.startsWith('OOM');
      throw new StoreUnavailableError(full ? 'store_full' : 'store_unavailable', full ? 'Redis is full (maxmemory)' : `Redis command failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }
}

function unsure(): StoreUnavailableError {
  return new StoreUnavailableError('store_unavailable', 'Redis is reconnecting');
}

interface ScriptCommands {
  aauthSwap(key: string, expected: string, next: string, ttlMs: string, set: '0' | '1'): Promise<number>;
  aauthAdd(key: string, sinceKey: string, value: string, ttlMs: string, nowMs: string): Promise<[number, string]>;
}

/** The marker's time, or undefined when it is not one. */
function marker(value: string | null | undefined): number | undefined {
  const since = Number(value);
  return Number.isFinite(since) && since > 0 ? since : undefined;
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.href;
  } catch {
    return 'the configured URL';
  }
}
