/**
 * A JSON fetcher for metadata and JWKS with the limits remote key discovery needs (wire notes
 * §2.4, §7.5): an address guard applied to the address actually connected to (resolve, check,
 * then connect to that address), `https` only (plain `http` only to allowed loopback in
 * development), no redirects, a timeout, a response-size cap, a TTL cache, and one fetch in flight
 * per URL. Instances hold all state; there are no module globals.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { FetchError } from '../errors.js';
import { isLoopbackHost } from '../identifiers.js';
import { isAddressAllowed, type AddressPolicy } from './address-guard.js';

export interface FetcherOptions extends AddressPolicy {
  /** Whole-request timeout, ms (default 5000). */
  readonly timeoutMs?: number;
  /** Maximum response body, bytes (default 256 KiB). */
  readonly maxBytes?: number;
  /** How long a document is reused, ms (default 5 min). */
  readonly ttlMs?: number;
  /** Name resolution (injectable for tests); defaults to the system resolver. */
  readonly resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

interface CacheEntry { readonly value: unknown; readonly fetchedAt: number }

function systemResolve(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });
}

export class GuardedFetcher {
  readonly options: Required<Omit<FetcherOptions, 'resolve'>> & Pick<FetcherOptions, 'resolve'>;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(options: FetcherOptions = {}) {
    this.options = {
      allowLoopback: options.allowLoopback ?? false,
      allowPrivate: options.allowPrivate ?? false,
      timeoutMs: options.timeoutMs ?? 5000,
      maxBytes: options.maxBytes ?? 256 * 1024,
      ttlMs: options.ttlMs ?? 5 * 60 * 1000,
      resolve: options.resolve,
    };
  }

  /** A cached or freshly fetched JSON document. Concurrent callers share one fetch. */
  async getJson(url: string, { maxAgeMs }: { maxAgeMs?: number } = {}): Promise<unknown> {
    const cached = this.#cache.get(url);
    const maxAge = maxAgeMs ?? this.options.ttlMs;
    if (cached && Date.now() - cached.fetchedAt < maxAge) return cached.value;
    const pending = this.#inFlight.get(url);
    if (pending) return pending;
    const request = this.#fetch(url)
      .then((value) => {
        this.#cache.set(url, { value, fetchedAt: Date.now() });
        return value;
      })
      .finally(() => this.#inFlight.delete(url));
    this.#inFlight.set(url, request);
    return request;
  }

  /** Age of the cached copy in ms, or undefined. */
  cacheAge(url: string): number | undefined {
    const entry = this.#cache.get(url);
    return entry ? Date.now() - entry.fetchedAt : undefined;
  }

  invalidate(url: string): void {
    this.#cache.delete(url);
  }

  #checkUrl(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new FetchError('scheme_not_allowed', `not an absolute URL: ${JSON.stringify(url)}`);
    }
    if (parsed.protocol === 'https:') return parsed;
    if (parsed.protocol === 'http:' && this.options.allowLoopback && isLoopbackHost(parsed.hostname)) return parsed;
    throw new FetchError('scheme_not_allowed', `refusing to fetch ${parsed.protocol}// URL ${url}: only https (or loopback http in development)`);
  }

  /** Resolve, refuse any disallowed address, and hand the connection the checked address only. */
  #lookup(hostname: string): LookupFunction {
    return (_host, opts, callback) => {
      const done = callback as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
      // Node ≥ 20 connects with `autoSelectFamily`, which asks for every address (`all: true`) and
      // expects an array back; older callers want one address and its family.
      const wantsAll = (opts as { all?: boolean } | undefined)?.all === true;
      const resolver = this.options.resolve ?? systemResolve;
      // RFC 6761 §6.3: `*.localhost` is loopback; system resolvers often do not know it.
      const resolution = this.options.allowLoopback && isLoopbackHost(hostname) && isIP(hostname) === 0
        ? Promise.resolve([{ address: '127.0.0.1', family: 4 }])
        : resolver(hostname);
      resolution.then(
        (addresses) => {
          const refused = addresses.find((a) => !isAddressAllowed(a.address, this.options));
          if (addresses.length === 0 || refused) {
            done(new FetchError('address_not_allowed', `refusing to connect to ${hostname} (${refused?.address ?? 'no address'}): address not allowed`), '', 4);
            return;
          }
          const first = addresses[0] as LookupAddress;
          if (wantsAll) done(null, addresses);
          else done(null, first.address, first.family);
        },
        (err: Error) => done(new FetchError('network', `cannot resolve ${hostname}: ${err.message}`), '', 4),
      );
    };
  }

  #fetch(url: string): Promise<unknown> {
    const target = this.#checkUrl(url);
    const hostname = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(hostname) !== 0 && !isAddressAllowed(hostname, this.options)) {
      return Promise.reject(new FetchError('address_not_allowed', `refusing to connect to ${hostname}: address not allowed`));
    }
    const client = target.protocol === 'https:' ? https : http;
    return new Promise<unknown>((resolve, reject) => {
      const req = client.request(target, {
        method: 'GET',
        headers: { accept: 'application/json' },
        lookup: this.#lookup(hostname),
        timeout: this.options.timeoutMs,
        agent: false,
      });
      const timer = setTimeout(() => req.destroy(new FetchError('timeout', `fetching ${url} took longer than ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      req.on('timeout', () => req.destroy(new FetchError('timeout', `fetching ${url} took longer than ${this.options.timeoutMs} ms`)));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof FetchError ? err : new FetchError('network', `fetching ${url} failed: ${err.message}`));
      });
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          clearTimeout(timer);
          reject(new FetchError('http_status', `fetching ${url} answered HTTP ${res.statusCode} (redirects are not followed)`, { actual: res.statusCode }));
          return;
        }
        const declared = Number(res.headers['content-length'] ?? '0');
        if (declared > this.options.maxBytes) {
          req.destroy(new FetchError('too_large', `${url} declares ${declared} bytes; the cap is ${this.options.maxBytes}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.options.maxBytes) {
            req.destroy(new FetchError('too_large', `${url} is larger than the ${this.options.maxBytes}-byte cap`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          if (size > this.options.maxBytes) return;
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new FetchError('not_json', `${url} is not JSON`));
          }
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err instanceof FetchError ? err : new FetchError('network', `reading ${url} failed: ${err.message}`));
        });
      });
      req.end();
    });
  }
}
