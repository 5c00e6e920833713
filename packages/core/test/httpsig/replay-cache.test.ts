/** ReplayCache (wire notes §1.8): a signature is accepted once inside its window; bounded memory. */
import { ReplayCache } from '@aauth-ts/core';

describe('ReplayCache', () => {
  it('fresh, then replayed, then forgotten after the TTL', () => {
    const cache = new ReplayCache({ ttlSeconds: 120 });
    expect(cache.check('sig-a', 1000)).toBe('fresh');
    expect(cache.check('sig-a', 1100)).toBe('replayed');
    expect(cache.check('sig-b', 1100)).toBe('fresh');
    expect(cache.check('sig-a', 1120)).toBe('fresh');
    expect(cache.size).toBe(2);
  });

  it('when full it refuses new signatures instead of forgetting old ones', () => {
    const cache = new ReplayCache({ ttlSeconds: 60, maxEntries: 2 });
    expect(cache.check('a', 0)).toBe('fresh');
    expect(cache.check('b', 0)).toBe('fresh');
    expect(cache.check('c', 1)).toBe('full');
    expect(cache.check('a', 1)).toBe('replayed');
    expect(cache.check('c', 60)).toBe('fresh');
  });

  it('a caller over its quota is refused while others still get in; its quota frees as entries expire', () => {
    const cache = new ReplayCache({ ttlSeconds: 60, maxEntries: 10, maxPerCaller: 2 });
    expect(cache.check('a1', 0, 'agent-a')).toBe('fresh');
    expect(cache.check('a2', 0, 'agent-a')).toBe('fresh');
    expect(cache.check('a3', 1, 'agent-a')).toBe('over_quota');
    expect(cache.check('a1', 1, 'agent-a')).toBe('replayed');
    expect(cache.check('b1', 1, 'agent-b')).toBe('fresh');
    expect(cache.check('a3', 60, 'agent-a')).toBe('fresh');
  });
});
