/**
 * `SharedCache`: entries other instances may read, which whoever writes to the store cannot
 * forge (HMAC-SHA-256 over key and value under the instances' secret), bounded per entry and per
 * minute of writes, and never a gate (a failing store is a miss and one `warn` line).
 */
import { MemoryStore, SharedCache, type AAuthLogger, type SharedStore } from '@aauth-ts/core';

const SECRET = 'thirty-two bytes of shared secret';

function recorder(): AAuthLogger & { readonly warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (_obj: object, msg?: string) => { warnings.push(msg ?? ''); } };
}

describe('SharedCache', () => {
  test('a value put by one instance is read by another with the same secret', async () => {
    const store = new MemoryStore();
    await new SharedCache({ store, secret: SECRET }, recorder(), 'test').put('k', 'v', 60_000);
    expect(await new SharedCache({ store, secret: SECRET }, recorder(), 'test').get('k')).toBe('v');
  });

  test('attack: an entry moved to another key fails its MAC, is ignored and logged', async () => {
    const store = new MemoryStore();
    const log = recorder();
    const cache = new SharedCache({ store, secret: SECRET }, log, 'test');
    await cache.put('a', 'granted', 60_000);
    await store.put('cache:b', (await store.get('cache:a')) as string, 60_000);
    expect(await cache.get('b')).toBeUndefined();
    expect(log.warnings).toEqual(['shared cache entry failed its MAC; ignored, the work is done afresh']);
  });

  test('attack: an entry with its value changed, or written without the secret, is ignored', async () => {
    const store = new MemoryStore();
    const cache = new SharedCache({ store, secret: SECRET }, recorder(), 'test');
    await cache.put('a', 'granted', 60_000);
    const entry = (await store.get('cache:a')) as string;
    await store.put('cache:a', entry.replace('granted', 'admin'), 60_000);
    expect(await cache.get('a')).toBeUndefined();
    await store.put('cache:a', 'plain value', 60_000);
    expect(await cache.get('a')).toBeUndefined();
    await new SharedCache({ store, secret: `${SECRET} but another` }, recorder(), 'test').put('a', 'granted', 60_000);
    expect(await cache.get('a')).toBeUndefined();
  });

  test('an entry larger than maxEntryBytes stays local', async () => {
    const store = new MemoryStore();
    const cache = new SharedCache({ store, secret: SECRET, maxEntryBytes: 100 }, recorder(), 'test');
    await cache.put('big', 'x'.repeat(100), 60_000);
    expect(store.size).toBe(0);
  });

  test('writes beyond maxWriteBytesPerMinute stay local: callers choosing keys cannot fill the store', async () => {
    const store = new MemoryStore();
    const cache = new SharedCache({ store, secret: SECRET, maxWriteBytesPerMinute: 1000 }, recorder(), 'test');
    for (let i = 0; i < 100; i++) await cache.put(`k${i}`, 'x'.repeat(50), 60_000);
    expect(store.size).toBeGreaterThan(0);
    expect(store.size).toBeLessThan(15);
  });

  test('a failing store is a miss and a dropped write, logged once per outage', async () => {
    const log = recorder();
    const broken: SharedStore = Object.assign(new MemoryStore(), { get: () => Promise.reject(new Error('down')), put: () => Promise.reject(new Error('down')) });
    const cache = new SharedCache({ store: broken, secret: SECRET }, log, 'test');
    for (let i = 0; i < 5; i++) {
      expect(await cache.get('k')).toBeUndefined();
      await cache.put('k', 'v', 60_000);
    }
    expect(log.warnings).toEqual(['shared cache unavailable; verifying locally until it answers again']);
  });
});
