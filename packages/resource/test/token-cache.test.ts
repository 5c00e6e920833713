import { VerifiedTokenCache } from '../src/token-cache.js';

describe('VerifiedTokenCache', () => {
  test('keeps a verdict until exp and forgets it after', () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.set('a.b.c', 'claims', 1100, 1000);
    expect(cache.get('a.b.c', 1099)).toBe('claims');
    expect(cache.get('a.b.c', 1100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('never stores an already expired verdict', () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.set('t', 'x', 1000, 1000);
    expect(cache.size).toBe(0);
  });

  test('stays bounded, dropping the oldest entry first', () => {
    const cache = new VerifiedTokenCache<number>(3);
    for (let i = 0; i < 50; i++) cache.set(`token-${i}`, i, 5000, 1000);
    expect(cache.size).toBe(3);
    expect(cache.get('token-49', 1000)).toBe(49);
    expect(cache.get('token-0', 1000)).toBeUndefined();
  });
});
