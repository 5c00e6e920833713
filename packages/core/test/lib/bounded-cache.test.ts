import { BoundedCache } from '../../src/lib/bounded-cache.js';

const keys = (cache: BoundedCache<number>, candidates: readonly string[]): string[] => candidates.filter((k) => cache.get(k) !== undefined);

describe('BoundedCache: least recently used first out', () => {
  it('evicts the entry used longest ago, not the one read most recently', () => {
    const cache = new BoundedCache<number>({ maxEntries: 3, maxBytes: 1_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1);
    cache.set('d', 4);
    expect(keys(cache, ['a', 'b', 'c', 'd'])).toEqual(['a', 'c', 'd']);
  });

  it('reading the newest entry again and again keeps the order of the others', () => {
    const cache = new BoundedCache<number>({ maxEntries: 3, maxBytes: 1_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    for (let i = 0; i < 5; i++) expect(cache.get('c')).toBe(3);
    cache.set('d', 4);
    expect(cache.get('a')).toBeUndefined();
    cache.set('e', 5);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe(3);
  });

  it('an entry read after the newest one was deleted becomes the newest', () => {
    const cache = new BoundedCache<number>({ maxEntries: 2, maxBytes: 1_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.delete('b')).toBe(true);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1);
    cache.set('d', 4);
    expect(keys(cache, ['a', 'b', 'c', 'd'])).toEqual(['a', 'd']);
  });

  it('holds both limits: entries and bytes (keys count twice their length)', () => {
    const cache = new BoundedCache<number>({ maxEntries: 10, maxBytes: 30 });
    cache.set('k1', 1, 10); // 14 bytes
    cache.set('k2', 2, 10); // 28
    cache.set('k3', 3, 10); // 42 > 30: k1 goes
    expect(keys(cache, ['k1', 'k2', 'k3'])).toEqual(['k2', 'k3']);
    expect(cache.bytes).toBe(28);
    cache.set('big', 0, 100); // larger than the whole budget: not kept, nothing evicted
    expect(cache.get('big')).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});
