/** The token cache: keys, single flight (one run, shared outcome, cleared after), pruning. */
import { TokenCache, tokenKey, upstreamHash, type CachedToken } from '@aauth-ts/agent';

const entry = (over: Partial<CachedToken> = {}): CachedToken => ({
  authToken: 't', issuedAt: 0, expiresAt: 100, authServer: 'https://as.example', resource: 'https://r.example', scope: 'a b', upstreamHash: '', ...over,
});

describe('TokenCache', () => {
  it('keys by auth server, resource, scope (order-insensitive) and upstream token', () => {
    const base = { authServer: 'https://as.example', resource: 'https://r.example', scope: 'a b', upstreamHash: '' };
    expect(tokenKey(base)).toBe(tokenKey({ ...base, scope: 'b  a' }));
    expect(tokenKey(base)).not.toBe(tokenKey({ ...base, upstreamHash: upstreamHash('u1') }));
    expect(upstreamHash('u1')).not.toBe(upstreamHash('u2'));
    expect(upstreamHash(undefined)).toBe('');
  });

  it('creates only one run for concurrent callers and clears it afterwards', async () => {
    const cache = new TokenCache();
    let runs = 0;
    let release!: (e: CachedToken) => void;
    const work = (): Promise<CachedToken> => {
      runs += 1;
      return new Promise((resolve) => { release = resolve; });
    };
    const waiters = Array.from({ length: 10 }, () => cache.singleFlight('k', work));
    expect(cache.inFlight('k')).toBe(true);
    release(entry());
    const results = await Promise.all(waiters);
    expect(runs).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(cache.inFlight('k')).toBe(false);
  });

  it('a failed run rejects every waiter with the same error, and the next call runs again', async () => {
    const cache = new TokenCache();
    const failure = new Error('refused');
    const waiters = Array.from({ length: 5 }, () => cache.singleFlight('k', () => Promise.reject(failure)));
    const outcomes = await Promise.allSettled(waiters);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason === failure)).toBe(true);
    await expect(cache.singleFlight('k', () => Promise.resolve(entry()))).resolves.toMatchObject({ authToken: 't' });
  });

  it('finds the latest token per resource and upstream; prunes expired then oldest beyond the cap', () => {
    const cache = new TokenCache(2);
    cache.set(entry({ authToken: 'one', expiresAt: 10 }), 0);
    cache.set(entry({ authToken: 'two', scope: 'c', expiresAt: 100 }), 0);
    expect(cache.forResource('https://r.example', '')?.entry.authToken).toBe('two');
    expect(cache.forResource('https://r.example', upstreamHash('u'))).toBeUndefined();
    cache.set(entry({ authToken: 'three', scope: 'd', expiresAt: 100 }), 50);
    expect(cache.size).toBe(2);
    expect(cache.get(tokenKey(entry({ expiresAt: 10 })))).toBeUndefined();
  });
});
