/**
 * `RedisStore` against a real `redis-server`: atomic remember-once (`SET NX PX`) and compare and
 * set (a Lua script); a Redis that stops answering fails each call within the command timeout
 * (no hang), and one that restarts empty, or is emptied while running, moves `rememberedSince` forward.
 */
import { StoreUnavailableError } from '@aauth-ts/core';
import { RedisStore } from '@aauth-ts/store-redis';
import { RedisServer, redisMissing } from '../../../scripts/redis-server.mjs';

const missing = redisMissing();
if (missing !== undefined) console.warn(missing);
const suite = missing === undefined ? describe : describe.skip;

suite('RedisStore', () => {
  let redis: RedisServer;
  let store: RedisStore;

  beforeAll(async () => {
    redis = await RedisServer.start();
    store = await RedisStore.connect(redis.url, { commandTimeoutMs: 300, keyPrefix: 'test:' });
  });
  afterAll(async () => {
    await store?.close();
    await redis?.stop();
  });

  // A lifetime long enough that the second add and the read land inside it on a loaded machine;
  // the key must then be gone once that lifetime has passed.
  test('remembers a key once until its time to live ends', async () => {
    expect(await store.add('once', 'a', 1_500)).toBe(true);
    expect(await store.add('once', 'b', 1_500)).toBe(false);
    expect(await store.get('once')).toBe('a');
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect(await store.get('once')).toBeUndefined();
    expect(await store.add('once', 'b', 1_500)).toBe(true);
  });

  test('compare and set replaces only the value it was read as, or deletes it', async () => {
    await store.put('cas', 'v1', 10_000);
    expect(await store.swap('cas', 'stale', 'v2', 10_000)).toBe(false);
    expect(await store.swap('cas', 'v1', 'v2', 10_000)).toBe(true);
    expect(await store.get('cas')).toBe('v2');
    expect(await store.swap('cas', 'v2', undefined, 0)).toBe(true);
    expect(await store.get('cas')).toBeUndefined();
    expect(await store.delete('cas')).toBe(false);
  });

  test('of two instances racing to remember the same key, exactly one wins', async () => {
    const other = await RedisStore.connect(redis.url, { keyPrefix: 'test:' });
    try {
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).add('race', String(i), 10_000)));
      expect(wins.filter(Boolean)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  test('a Redis that stops answering fails the call with store_unavailable instead of hanging', async () => {
    redis.pause();
    try {
      await expect(store.add('paused', '1', 10_000)).rejects.toEqual(expect.objectContaining({ name: 'StoreUnavailableError', code: 'store_unavailable' }));
    } finally {
      redis.resume();
    }
  });

  test('a Redis emptied while running (FLUSHALL): the next remember-once at any instance finds its memory began anew, so a replay of what came before is refused', async () => {
    const other = await RedisStore.connect(redis.url, { keyPrefix: 'test:' });
    try {
      expect(await store.add('flushed', '1', 10_000)).toBe(true);
      const before = await store.rememberedSince();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await redis.flushAll();
      // The key is forgotten: the add succeeds, and says that memory begins after `before`.
      expect(await other.add('flushed', '1', 10_000)).toBe(true);
      expect(await other.rememberedSince()).toBeGreaterThan(before);
      // The first instance learns it by its own next add, whatever key that is.
      await store.add('another', '1', 10_000);
      expect(await store.rememberedSince()).toBe(await other.rememberedSince());
    } finally {
      await other.close();
    }
  });

  test('a Redis that restarts empty: calls are refused until it answers, then its memory begins anew', async () => {
    const before = await store.rememberedSince();
    await redis.kill();
    await expect(store.add('down', '1', 10_000)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.rememberedSince()).rejects.toBeInstanceOf(StoreUnavailableError);
    await redis.restart();
    let since: number | undefined;
    for (let attempt = 0; attempt < 100 && since === undefined; attempt++) {
      since = await store.rememberedSince().catch(() => undefined);
      if (since === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(since).toBeGreaterThan(before);
    expect(await store.add('down', '1', 10_000)).toBe(true);
  });
});
