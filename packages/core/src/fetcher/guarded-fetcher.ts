/**
 * A fetcher for metadata and JWKS (JSON) and certificate chains (PEM text) with the limits remote key discovery needs (wire notes
 * §2.4, §7.5): an address guard applied to the address actually connected to (resolve, check,
 * then connect to that address), `https` only (plain `http` only to allowed loopback in
 * development), no redirects, an overall deadline, a response-size cap, one fetch in flight per URL,
 * and a cap on fetches in flight at all. The URLs come from unauthenticated callers (agent ids,
 * `jwks_uri`s), so the cache is bounded by entries and bytes (least recently used goes first) and
 * failures are remembered briefly, so repeating a bad identifier does not repeat the fetch.
 * Instances hold all state; there are no module globals.
 *
 * With a `SharedCache`, JSON documents one instance fetched are reused by the others (MAC'd, so a
 * document planted in the store is ignored), under the same TTL, counted from the original fetch:
 * a document is never older than `ttlMs` wherever it is read. Failures stay in this process.
 */
import { createHash } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { FetchError } from '../errors.js';
import { isLoopbackHost } from '../identifiers.js';
import { BoundedCache } from '../lib/bounded-cache.js';
import type { SharedCache } from '../store/shared-cache.js';
import { isAddressAllowed, type AddressPolicy } from './address-guard.js';

export interface FetcherOptions extends AddressPolicy {
  /** Whole-request deadline, ms (default 5000). */
  readonly timeoutMs?: number;
  /** Maximum response body, bytes (default 256 KiB). */
  readonly maxBytes?: number;
  /** How long a document is reused, ms (default 5 min). */
  readonly ttlMs?: number;
  /** How long a failed fetch is answered from memory, ms (default 10 s; 0 never remembers). */
  readonly failureTtlMs?: number;
  /** Most cached documents and failures (default 1000). */
  readonly cacheEntries?: number;
  /** Most cached bytes: bodies as received plus URLs (default 16 MiB). */
  readonly cacheBytes?: number;
  /** Most fetches in flight at once; one more is refused as `busy` (default 32). */
  readonly maxConcurrent?: number;
  /** Name resolution (injectable for tests); defaults to the system resolver. */
  readonly resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

/** What a fetcher holds now, for monitoring and for tests of its bounds. */
export interface FetcherStats {
  readonly entries: number;
  readonly bytes: number;
  readonly inFlight: number;
}

type CacheEntry =
  | { readonly ok: true; readonly value: unknown; readonly at: number }
  | { readonly ok: false; readonly error: FetchError; readonly at: number };

/** Turns a body into the cached value; throwing means the body is not JSON. */
type Decode = (body: Buffer) => unknown;

function parseJson(body: Buffer): unknown {
  return JSON.parse(body.toString('utf8'));
}

/** A document as kept in a `SharedCache`: when it was fetched, and what. */
interface SharedDocument { readonly url: string; readonly at: number; readonly value: unknown }

/** A remembered failure costs about this much besides its URL. */
const FAILURE_BYTES = 256;

function systemResolve(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });
}

export class GuardedFetcher {
  readonly options: Required<Omit<FetcherOptions, 'resolve'>> & Pick<FetcherOptions, 'resolve'>;
  readonly #cache: BoundedCache<CacheEntry>;
  readonly #inFlight = new Map<string, Promise<unknown>>();
  readonly #shared: SharedCache | undefined;
  /**
   * When each URL was last invalidated here (a document that failed validation, a JWKS without
   * the `kid` sought): a shared copy fetched before then is not taken, so the next read goes to
   * the network. Bounded like the cache.
   */
  readonly #invalidated: BoundedCache<number>;

  constructor(options: FetcherOptions = {}, shared?: SharedCache) {
    this.options = {
      allowLoopback: options.allowLoopback ?? false,
      allowPrivate: options.allowPrivate ?? false,
      timeoutMs: options.timeoutMs ?? 5000,
      maxBytes: options.maxBytes ?? 256 * 1024,
      ttlMs: options.ttlMs ?? 5 * 60 * 1000,
      failureTtlMs: options.failureTtlMs ?? 10_000,
      cacheEntries: options.cacheEntries ?? 1000,
      cacheBytes: options.cacheBytes ?? 16 * 1024 * 1024,
      maxConcurrent: options.maxConcurrent ?? 32,
      resolve: options.resolve,
    };
    this.#cache = new BoundedCache({ maxEntries: this.options.cacheEntries, maxBytes: this.options.cacheBytes });
    this.#shared = shared;
    this.#invalidated = new BoundedCache({ maxEntries: this.options.cacheEntries, maxBytes: this.options.cacheEntries * 1024 });
  }

  /** A cached or freshly fetched JSON document. Concurrent callers share one fetch. */
  getJson(url: string, { maxAgeMs }: { maxAgeMs?: number } = {}): Promise<unknown> {
    return this.#get(url, url, 'application/json', parseJson, maxAgeMs, true);
  }

  /**
   * The document `getJson(url)` would answer at once from this process's cache (present, fetched
   * successfully, younger than `ttlMs`), else undefined: then `getJson` decides. For a caller's
   * synchronous warm path; nothing is fetched, remembered or refused here.
   */
  cachedJson(url: string): unknown {
    const cached = this.#cache.get(url);
    return cached !== undefined && cached.ok && Date.now() - cached.at < this.options.ttlMs ? cached.value : undefined;
  }

  /**
   * A cached or freshly fetched text document (an `x5u` PEM chain), under the same limits. Cached
   * apart from JSON documents: its cache key is the URL behind a space, which no URL contains.
   */
  async getText(url: string, accept: string): Promise<string> {
    return (await this.#get(`text ${url}`, url, accept, (body) => body.toString('utf8'), undefined, false)) as string;
  }

  async #get(key: string, url: string, accept: string, decode: Decode, maxAgeMs: number | undefined, share: boolean): Promise<unknown> {
    const cached = this.#cache.get(key);
    const maxAge = maxAgeMs ?? this.options.ttlMs;
    if (cached !== undefined) {
      const age = Date.now() - cached.at;
      if (cached.ok && age < maxAge) return cached.value;
      if (!cached.ok && age < this.options.failureTtlMs) throw cached.error;
    }
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    if (this.#inFlight.size >= this.options.maxConcurrent) {
      // Not remembered: the refusal says nothing about the URL.
      throw new FetchError('busy', `refusing to fetch ${url}: ${this.options.maxConcurrent} fetches already in flight`);
    }
    const shared = share ? this.#shared : undefined;
    const request = this.#sharedOrFetch(shared, url, accept, decode, maxAge)
      .then(
        async ({ value, bytes, at }) => {
          const fetchedAt = at ?? Date.now();
          this.#cache.set(key, { ok: true, value, at: fetchedAt }, bytes);
          if (shared !== undefined && at === undefined) await shared.put(sharedKey(url), JSON.stringify({ url, at: fetchedAt, value } satisfies SharedDocument), this.options.ttlMs);
          return value;
        },
        (err: unknown) => {
          if (err instanceof FetchError && this.options.failureTtlMs > 0) this.#cache.set(key, { ok: false, error: err, at: Date.now() }, FAILURE_BYTES);
          throw err;
        },
      )
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, request);
    return request;
  }

  /** A shared copy fresh enough and newer than any invalidation here (`at` set), else a fetch (`at` undefined in the answer: just now). */
  async #sharedOrFetch(shared: SharedCache | undefined, url: string, accept: string, decode: Decode, maxAge: number): Promise<{ value: unknown; bytes: number; at: number | undefined }> {
    if (shared !== undefined) {
      const text = await shared.get(sharedKey(url));
      const doc = text === undefined ? undefined : parseShared(text);
      if (doc !== undefined && doc.url === url && Date.now() - doc.at < maxAge && doc.at > (this.#invalidated.get(url) ?? 0)) return { value: doc.value, bytes: text!.length, at: doc.at };
    }
    const fetched = await this.#fetch(url, accept, decode);
    return { ...fetched, at: undefined };
  }

  /** Age of the cached document in ms, or undefined. */
  cacheAge(url: string): number | undefined {
    const entry = this.#cache.get(url);
    return entry?.ok === true ? Date.now() - entry.at : undefined;
  }

  invalidate(url: string): void {
    this.#cache.delete(url);
    if (this.#shared !== undefined) this.#invalidated.set(url, Date.now(), 16);
  }

  stats(): FetcherStats {
    return { entries: this.#cache.size, bytes: this.#cache.bytes, inFlight: this.#inFlight.size };
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

  #fetch(url: string, accept: string, decode: Decode): Promise<{ value: unknown; bytes: number }> {
    const target = this.#checkUrl(url);
    const hostname = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(hostname) !== 0 && !isAddressAllowed(hostname, this.options)) {
      return Promise.reject(new FetchError('address_not_allowed', `refusing to connect to ${hostname}: address not allowed`));
    }
    const client = target.protocol === 'https:' ? https : http;
    const { maxBytes, timeoutMs } = this.options;
    return new Promise((resolve, reject) => {
      // Every path settles here first and only then tears the request down: whether a
      // `destroy(err)` after 'response' still emits 'error' differs between Node versions, so the
      // promise must never wait for that event.
      let settled = false;
      const fail = (err: FetchError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
        req.destroy();
      };
      const succeed = (value: unknown, bytes: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ value, bytes });
      };
      const req = client.request(target, {
        method: 'GET',
        headers: { accept },
        lookup: this.#lookup(hostname),
        timeout: timeoutMs,
        agent: false,
      });
      const timeout = (): void => fail(new FetchError('timeout', `fetching ${url} took longer than ${timeoutMs} ms`));
      const timer = setTimeout(timeout, timeoutMs);
      req.on('timeout', timeout);
      req.on('error', (err) => fail(err instanceof FetchError ? err : new FetchError('network', `fetching ${url} failed: ${err.message}`)));
      req.on('response', (res) => {
        res.on('error', (err) => fail(err instanceof FetchError ? err : new FetchError('network', `reading ${url} failed: ${err.message}`)));
        if (res.statusCode !== 200) {
          fail(new FetchError('http_status', `fetching ${url} answered HTTP ${res.statusCode} (redirects are not followed)`, { actual: res.statusCode }));
          return;
        }
        const declared = Number(res.headers['content-length'] ?? '0');
        if (declared > maxBytes) {
          fail(new FetchError('too_large', `${url} declares ${declared} bytes; the cap is ${maxBytes}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            fail(new FetchError('too_large', `${url} is larger than the ${maxBytes}-byte cap`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          let value: unknown;
          try {
            value = decode(Buffer.concat(chunks));
          } catch {
            fail(new FetchError('not_json', `${url} is not JSON`));
            return;
          }
          succeed(value, size);
        });
      });
      req.end();
    });
  }
}

/** A shared entry's document (its MAC verified, so written by an instance; still read defensively). */
function parseShared(text: string): SharedDocument | undefined {
  try {
    const doc = JSON.parse(text) as Partial<SharedDocument> | null;
    return typeof doc?.url === 'string' && typeof doc.at === 'number' ? doc as SharedDocument : undefined;
  } catch {
    return undefined;
  }
}

/** A document's key in the shared cache: its URL's SHA-256 (URLs are long and chosen by callers). */
function sharedKey(url: string): string {
  return `doc:${createHash('sha256').update(url).digest('base64url')}`;
}
