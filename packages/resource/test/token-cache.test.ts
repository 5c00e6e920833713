import { VerifiedTokenCache } from '../src/token-cache.js';

describe('VerifiedTokenCache', () => {
  test('keeps a verdict until exp and forgets it after', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 1 << 20 }, 3600);
    cache.set('a.b.c', 'claims', 1100, 1000);
    expect(cache.get('a.b.c', 1099)).toBe('claims');
    expect(cache.get('a.b.c', 1100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('keeps a verdict no longer than its maximum age after it was stored (the key cache TTL), even when exp is later', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 1 << 20 }, 60);
    cache.set('a.b.c', 'claims', 5000, 1000);
    expect(cache.get('a.b.c', 1059)).toBe('claims');
    expect(cache.get('a.b.c', 1060)).toBeUndefined();
    cache.set('d.e.f', 'claims', 1030, 1000);
    expect(cache.get('d.e.f', 1030)).toBeUndefined();
  });

  test('never stores an already expired verdict', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 1 << 20 }, 3600);
    cache.set('t', 'x', 1000, 1000);
    expect(cache.size).toBe(0);
  });

  test('stays bounded, dropping the least recently used entry first', () => {
    const cache = new VerifiedTokenCache<number>({ maxEntries: 3, maxBytes: 1 << 20 }, 3600);
    for (let i = 0; i < 50; i++) cache.set(`token-${i}`, i, 5000, 1000);
    expect(cache.size).toBe(3);
    expect(cache.get('token-49', 1000)).toBe(49);
    expect(cache.get('token-0', 1000)).toBeUndefined();
  });

  test('stays within its byte budget: long tokens evict others, a token over the whole budget is not kept', () => {
    const cache = new VerifiedTokenCache<number>({ maxEntries: 1000, maxBytes: 20_000 }, 3600);
    for (let i = 0; i < 100; i++) cache.set(`${'x'.repeat(2000)}-${i}`, i, 5000, 1000);
    expect(cache.bytes).toBeLessThanOrEqual(20_000);
    expect(cache.size).toBeLessThan(10);
    cache.set('y'.repeat(20_000), 1, 5000, 1000);
    expect(cache.get('y'.repeat(20_000), 1000)).toBeUndefined();
    expect(cache.bytes).toBeLessThanOrEqual(20_000);
  });

  test('a token sharing a cached token\'s signature segment but differing elsewhere is a miss: the whole token must match', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 1 << 20 }, 3600);
    cache.set('h.p.sig', 'verdict', 5000, 1000);
    expect(cache.get('h.p.sig', 1000)).toBe('verdict');
    expect(cache.get('h.q.sig', 1000)).toBeUndefined();
    expect(cache.get('x.p.sig', 1000)).toBeUndefined();
    expect(cache.get('sig', 1000)).toBeUndefined();
    expect(cache.get('h.p.sig', 1000)).toBe('verdict');
  });

  test('a verdict stored for another token with the same signature segment replaces the first, never answers for it', () => {
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxBytes: 1 << 20 }, 3600);
    cache.set('h.p.sig', 'first', 5000, 1000);
    cache.set('h.q.sig', 'second', 5000, 1000);
    expect(cache.get('h.p.sig', 1000)).toBeUndefined();
    expect(cache.get('h.q.sig', 1000)).toBe('second');
    expect(cache.size).toBe(1);
  });
});
