/**
 * GuardedFetcher against real loopback servers (allowLoopback: true, the development setting):
 * timeout, size cap, status, JSON, redirects, TTL cache and single flight. The address guard is
 * exercised without leaving loopback: a real fetch to 127.0.0.1 with loopback disallowed, and an
 * injected resolver standing in for DNS.
 */
import type http from 'node:http';
import { GuardedFetcher, FetchError, isAAuthError } from '@aauth-ts/core';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';

let server: LoopbackServer;
const hanging: http.ServerResponse[] = [];

beforeAll(async () => {
  server = await startLoopbackServer();
  server.json('/doc', { hello: 'world' });
  server.route('/slow', (_req, res) => { hanging.push(res); });
  server.route('/big-declared', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' }).end(JSON.stringify({ pad: 'x'.repeat(4988) }));
  });
  server.route('/big-chunked', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"pad":"');
    for (let i = 0; i < 10; i++) res.write('x'.repeat(500));
    res.end('"}');
  });
  server.route('/status', (_req, res) => { res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}'); });
  server.route('/html', (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not json</html>'); });
  server.route('/redirect', (_req, res) => { res.writeHead(302, { location: '/doc-redirected' }).end(); });
  server.json('/doc-redirected', { redirected: true });
  server.route('/drip', (_req, res) => {
    // A byte at a time, each well inside the idle timeout: only an overall deadline ends it.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"pad":"');
    const tick = setInterval(() => { if (res.destroyed) clearInterval(tick); else res.write('x'); }, 20);
    res.on('close', () => clearInterval(tick));
  });
  server.route('/slow-doc', (_req, res) => { setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":1}'), 50); });
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<FetchError> {
  try {
    await promise;
  } catch (err) {
    if (isAAuthError(err)) return err as FetchError;
    throw err;
  }
  throw new Error('fetch unexpectedly succeeded');
}

const dev = (options: ConstructorParameters<typeof GuardedFetcher>[0] = {}) => new GuardedFetcher({ allowLoopback: true, ...options });

describe('GuardedFetcher limits', () => {
  it('fetches a JSON document', async () => {
    await expect(dev().getJson(`${server.origin}/doc`)).resolves.toEqual({ hello: 'world' });
  });

  it('timeout: a server that never answers', async () => {
    const err = await failure(dev({ timeoutMs: 200 }).getJson(`${server.origin}/slow`));
    expect(err).toBeInstanceOf(FetchError);
    expect(err).toMatchObject({ reason: 'timeout', code: 'invalid_request', status: 400 });
  });

  it('size cap: a declared Content-Length over the cap', async () => {
    const err = await failure(dev({ maxBytes: 1000 }).getJson(`${server.origin}/big-declared`));
    expect(err).toMatchObject({ reason: 'too_large' });
  });

  it('size cap: a chunked body growing over the cap', async () => {
    const err = await failure(dev({ maxBytes: 1000 }).getJson(`${server.origin}/big-chunked`));
    expect(err).toMatchObject({ reason: 'too_large' });
  });

  it('non-200', async () => {
    const err = await failure(dev().getJson(`${server.origin}/status`));
    expect(err).toMatchObject({ reason: 'http_status', detail: { actual: 500 } });
  });

  it('non-JSON', async () => {
    const err = await failure(dev().getJson(`${server.origin}/html`));
    expect(err).toMatchObject({ reason: 'not_json' });
  });

  it('a redirect is not followed', async () => {
    const err = await failure(dev().getJson(`${server.origin}/redirect`));
    expect(err).toMatchObject({ reason: 'http_status', detail: { actual: 302 } });
    expect(server.hits.get('/doc-redirected')).toBeUndefined();
  });

  it('size cap on a chunked body settles the fetch, so a later fetch of the URL does not join a hung one', async () => {
    const fetcher = dev({ maxBytes: 1000, failureTtlMs: 0 });
    const url = `${server.origin}/big-chunked`;
    expect(await failure(fetcher.getJson(url))).toMatchObject({ reason: 'too_large' });
    expect(await failure(fetcher.getJson(url))).toMatchObject({ reason: 'too_large' });
    expect(fetcher.stats().inFlight).toBe(0);
  });

  it('overall deadline: a drip-fed body that never ends is cut off', async () => {
    const fetcher = dev({ timeoutMs: 300 });
    expect(await failure(fetcher.getJson(`${server.origin}/drip`))).toMatchObject({ reason: 'timeout' });
    expect(fetcher.stats().inFlight).toBe(0);
  });

  it('negative cache: a failure is remembered for failureTtlMs and not refetched meanwhile', async () => {
    const fetcher = dev({ failureTtlMs: 60_000 });
    const before = server.hits.get('/status') ?? 0;
    const first = await failure(fetcher.getJson(`${server.origin}/status`));
    const second = await failure(fetcher.getJson(`${server.origin}/status`));
    expect(second).toMatchObject({ reason: first.reason });
    expect(server.hits.get('/status')).toBe(before + 1);
  });

  it('failureTtlMs 0: a failed fetch is not remembered', async () => {
    const fetcher = dev({ failureTtlMs: 0 });
    const before = server.hits.get('/status') ?? 0;
    await failure(fetcher.getJson(`${server.origin}/status`));
    await failure(fetcher.getJson(`${server.origin}/status`));
    expect(server.hits.get('/status')).toBe(before + 2);
  });
});

describe('GuardedFetcher cache', () => {
  it('single flight: concurrent callers share one fetch', async () => {
    const fetcher = dev();
    const before = server.hits.get('/slow-doc') ?? 0;
    const results = await Promise.all(Array.from({ length: 20 }, () => fetcher.getJson(`${server.origin}/slow-doc`)));
    expect(results.every((r) => (r as { n: number }).n === 1)).toBe(true);
    expect(server.hits.get('/slow-doc')).toBe(before + 1);
  });

  it('TTL cache: a fresh copy is reused; maxAgeMs 0 and invalidate() refetch', async () => {
    const fetcher = dev({ ttlMs: 60_000 });
    const url = `${server.origin}/doc`;
    const before = server.hits.get('/doc') ?? 0;
    await fetcher.getJson(url);
    await fetcher.getJson(url);
    expect(server.hits.get('/doc')).toBe(before + 1);
    expect(fetcher.cacheAge(url)).toEqual(expect.any(Number));
    await fetcher.getJson(url, { maxAgeMs: 0 });
    expect(server.hits.get('/doc')).toBe(before + 2);
    fetcher.invalidate(url);
    expect(fetcher.cacheAge(url)).toBeUndefined();
    await fetcher.getJson(url);
    expect(server.hits.get('/doc')).toBe(before + 3);
  });

  it('a ttl of 0 never reuses', async () => {
    const fetcher = dev({ ttlMs: 0 });
    const before = server.hits.get('/doc') ?? 0;
    await fetcher.getJson(`${server.origin}/doc`);
    await fetcher.getJson(`${server.origin}/doc`);
    expect(server.hits.get('/doc')).toBe(before + 2);
  });

  it('instances share nothing', async () => {
    const before = server.hits.get('/doc') ?? 0;
    await dev().getJson(`${server.origin}/doc`);
    await dev().getJson(`${server.origin}/doc`);
    expect(server.hits.get('/doc')).toBe(before + 2);
  });
});

describe('GuardedFetcher bounds (attacker-chosen URLs)', () => {
  it('a flood of distinct URLs keeps the cache within cacheEntries and cacheBytes', async () => {
    const fetcher = dev({ cacheEntries: 16, cacheBytes: 4096 });
    for (let i = 0; i < 200; i++) await fetcher.getJson(`${server.origin}/doc?agent=${i}`);
    for (let i = 0; i < 50; i++) await failure(fetcher.getJson(`${server.origin}/status?agent=${i}`));
    const stats = fetcher.stats();
    expect(stats.entries).toBeLessThanOrEqual(16);
    expect(stats.bytes).toBeLessThanOrEqual(4096);
    expect(stats.entries).toBeGreaterThan(0);
  });

  it('the most recently used document survives a flood (LRU, not FIFO)', async () => {
    const fetcher = dev({ cacheEntries: 8, cacheBytes: 1 << 20 });
    const kept = `${server.origin}/doc?kept`;
    await fetcher.getJson(kept);
    const before = server.hits.get('/doc') ?? 0;
    for (let i = 0; i < 40; i++) {
      await fetcher.getJson(kept);
      await fetcher.getJson(`${server.origin}/doc?flood=${i}`);
    }
    expect(server.hits.get('/doc')).toBe(before + 40);
  });

  it('concurrency cap: a fetch beyond maxConcurrent is refused as busy, and busy is not remembered', async () => {
    const fetcher = dev({ maxConcurrent: 2, timeoutMs: 300 });
    const slow = [failure(fetcher.getJson(`${server.origin}/slow?a`)), failure(fetcher.getJson(`${server.origin}/slow?b`))];
    expect(fetcher.stats().inFlight).toBe(2);
    expect(await failure(fetcher.getJson(`${server.origin}/doc?busy`))).toMatchObject({ reason: 'busy' });
    await Promise.all(slow);
    await expect(fetcher.getJson(`${server.origin}/doc?busy`)).resolves.toEqual({ hello: 'world' });
  });
});

describe('GuardedFetcher address and scheme guard', () => {
  it('a real fetch to 127.0.0.1 is refused when allowLoopback is false (https: the address guard)', async () => {
    const before = server.hits.get('/doc') ?? 0;
    const url = `${server.origin.replace('http:', 'https:')}/doc`;
    const err = await failure(new GuardedFetcher().getJson(url));
    expect(err).toMatchObject({ reason: 'address_not_allowed' });
    expect(server.hits.get('/doc') ?? 0).toBe(before);
  });

  it('plain http to 127.0.0.1 is refused when allowLoopback is false (the scheme guard)', async () => {
    const err = await failure(new GuardedFetcher().getJson(`${server.origin}/doc`));
    expect(err).toMatchObject({ reason: 'scheme_not_allowed' });
  });

  it('plain http to a public name is refused even in development', async () => {
    const err = await failure(dev().getJson('http://metadata.example/doc'));
    expect(err).toMatchObject({ reason: 'scheme_not_allowed' });
  });

  it('a name resolving to loopback is refused at connect time (DNS answer checked, not the name)', async () => {
    const resolved: string[] = [];
    const fetcher = new GuardedFetcher({ resolve: async (host) => { resolved.push(host); return [{ address: '127.0.0.1', family: 4 }]; } });
    const err = await failure(fetcher.getJson('https://metadata.example/doc'));
    expect(err).toMatchObject({ reason: 'address_not_allowed' });
    expect(resolved).toEqual(['metadata.example']);
  });

  it('a name with one private address among public ones is refused', async () => {
    const fetcher = new GuardedFetcher({ resolve: async () => [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.7', family: 4 }] });
    expect(await failure(fetcher.getJson('https://metadata.example/doc'))).toMatchObject({ reason: 'address_not_allowed' });
  });

  it('a name that does not resolve', async () => {
    const fetcher = new GuardedFetcher({ resolve: async () => { throw new Error('ENOTFOUND'); } });
    expect(await failure(fetcher.getJson('https://metadata.example/doc'))).toMatchObject({ reason: 'network' });
  });

  it.each(['https://10.0.0.1/x', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/x', 'https://[fe80::1]/x', 'https://[::ffff:127.0.0.1]/x'])('IP literal %s is refused without a connection', async (url) => {
    expect(await failure(new GuardedFetcher().getJson(url))).toMatchObject({ reason: 'address_not_allowed' });
  });

  it('not a URL; not http(s)', async () => {
    expect(await failure(dev().getJson('not a url'))).toMatchObject({ reason: 'scheme_not_allowed' });
    expect(await failure(dev().getJson('file:///etc/passwd'))).toMatchObject({ reason: 'scheme_not_allowed' });
  });

  it('development: *.localhost names map to loopback (RFC 6761) and are fetched', async () => {
    const port = new URL(server.origin).port;
    await expect(dev().getJson(`http://agent.localhost:${port}/doc`)).resolves.toEqual({ hello: 'world' });
  });
});
