/**
 * `MemoryStore`, the in-process `SharedStore`: remember once until a time to live ends, compare
 * and set, and bounded without forgetting live entries (a forgotten signature or `jti` would
 * reopen its replay window).
 */
import { MemoryStore, StoreUnavailableError } from '@aauth-ts/core';

describe('MemoryStore', () => {
  test('remembers a key once until its time to live ends', async () => {
    let now = 1_000;
    const store = new MemoryStore({ nowMs: () => now });
    expect(await store.add('k', 'a', 100)).toBe(true);
    expect(await store.add('k', 'b', 100)).toBe(false);
    expect(await store.get('k')).toBe('a');
    now = 1_100;
    expect(await store.get('k')).toBeUndefined();
    expect(await store.add('k', 'b', 100)).toBe(true);
  });

  test('compare and set replaces only the value it was read as, or deletes it', async () => {
    const store = new MemoryStore({ nowMs: () => 0 });
    await store.put('k', 'v1', 1_000);
    expect(await store.swap('k', 'stale', 'v2', 1_000)).toBe(false);
    expect(await store.swap('k', 'v1', 'v2', 1_000)).toBe(true);
    expect(await store.get('k')).toBe('v2');
    expect(await store.swap('k', 'v2', undefined, 0)).toBe(true);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.swap('k', 'v2', 'v3', 1_000)).toBe(false);
  });

  test('full of live entries it refuses new ones (store_full) instead of forgetting, and makes room as they expire', async () => {
    let now = 0;
    const store = new MemoryStore({ maxEntries: 2, nowMs: () => now });
    await store.add('a', '1', 100);
    await store.add('b', '1', 100);
    await expect(store.add('c', '1', 100)).rejects.toEqual(expect.objectContaining({ name: 'StoreUnavailableError', code: 'store_full' }));
    expect(await store.add('a', '1', 100)).toBe(false);
    now = 100;
    expect(await store.add('c', '1', 100)).toBe(true);
    expect(store.size).toBe(1);
  });

  test('its memory begins when it is made', async () => {
    const store = new MemoryStore({ nowMs: () => 42 });
    expect(await store.rememberedSince()).toBe(42);
    expect(new StoreUnavailableError('store_unavailable', 'x').code).toBe('store_unavailable');
  });
});
