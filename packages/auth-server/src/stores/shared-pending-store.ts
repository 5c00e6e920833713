/**
 * Pending requests in a store shared by several auth-server instances: a request made on one is
 * opened, decided and polled on any other (2026-03 §Deferred Responses, §Polling;
 * draft-hardt-oauth-aauth-protocol §Deferred Responses for the Person Server's, under their own
 * prefix). A request is one JSON record (`{prefix}:{id}`) and its code an index to it
 * (`{prefix}-code:{code}`), both living until the request's end plus the `expired` grace; a
 * retired request's record becomes a tombstone until the time it is remembered for. Every change is a compare-and-set of
 * the record as read (`SharedStore.swap`, a Lua script on Redis), so two instances acting on the
 * same request cannot both win: in particular an approved request's token is issued once.
 * A held poll is woken at once by a decision on this instance and re-reads the record every
 * `POLL_RECHECK_MS` for decisions made elsewhere.
 */
import { LOG_COMPONENT } from '../http/decision-route.js';
import { guardStoreCall, type AAuthLogger, type SharedStore } from '@aauth-ts/core';
import { EXPIRED_GRACE_SECONDS, newInteractionCode, newPendingId, newPendingRequest, type GrantOwner, type PendingDecision, type PendingGrant, type PendingInput, type PendingRefusal, type PendingRequest, type PendingRequests } from './pending-store.js';
import { PollWaiters } from './poll-waiters.js';

const POLL_RECHECK_MS = 250;
const DECIDED: ReadonlySet<string> = new Set(['approved', 'denied', 'code_reused']);
/** A code collision among 36^8 codes is rare; this many in a row means something else is wrong. */
const CODE_ATTEMPTS = 8;
/** What a retired request's record holds: no request record is this JSON string. */
const RETIRED = '"retired"';

export interface SharedPendingStoreOptions {
  /** Key prefix of this family of requests. Default `pending`. */
  readonly prefix?: string;
  /** Symbols interaction codes are drawn from (default A-Z0-9) and their number (default 8). */
  readonly codeAlphabet?: string;
  readonly codeLength?: number;
}

export class SharedPendingStore<G extends GrantOwner = PendingGrant> implements PendingRequests<G> {
  readonly #store: SharedStore;
  readonly #logger: AAuthLogger;
  readonly #now: () => number;
  readonly #prefix: string;
  readonly #alphabet: string | undefined;
  readonly #codeLength: number | undefined;
  readonly #polls = new PollWaiters();
  /** The record each entry was read as: what `swap` compares against. */
  readonly #read = new WeakMap<PendingRequest<G>, string>();

  /** `now`: the server's clock, seconds since the epoch. */
  constructor(store: SharedStore, logger: AAuthLogger, now: () => number, options: SharedPendingStoreOptions = {}) {
    this.#store = store;
    this.#logger = logger;
    this.#now = now;
    this.#prefix = options.prefix ?? 'pending';
    this.#alphabet = options.codeAlphabet;
    this.#codeLength = options.codeLength;
  }

  #key(id: string): string {
    return `${this.#prefix}:${id}`;
  }

  #codeKey(code: string): string {
    return `${this.#prefix}-code:${code}`;
  }

  get held(): number {
    return this.#polls.held;
  }

  #guard<T>(call: Promise<T>): Promise<T> {
    return guardStoreCall(call, this.#logger, LOG_COMPONENT, 'the shared pending-request store');
  }

  #ttlMs(entry: PendingRequest<G>): number {
    return (entry.expiresAt + EXPIRED_GRACE_SECONDS - this.#now()) * 1000;
  }

  #entry(record: string | undefined): PendingRequest<G> | undefined {
    if (record === undefined || record === RETIRED) return undefined;
    const entry = JSON.parse(record) as PendingRequest<G>;
    this.#read.set(entry, record);
    return entry;
  }

  async create(input: PendingInput<G>, now: number): Promise<PendingRequest<G> | PendingRefusal> {
    const id = newPendingId();
    const entry = newPendingRequest(id, '', input, now);
    const ttlMs = this.#ttlMs(entry);
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = newInteractionCode(this.#alphabet, this.#codeLength);
      if (!(await this.#guard(this.#store.add(this.#codeKey(code), id, ttlMs)))) continue;
      const made: PendingRequest<G> = { ...entry, code };
      const record = JSON.stringify(made);
      await this.#guard(this.#store.put(this.#key(id), record, ttlMs));
      this.#read.set(made, record);
      return made;
    }
    return 'full';
  }

  async get(id: string): Promise<PendingRequest<G> | undefined> {
    return this.#entry(await this.#guard(this.#store.get(this.#key(id))));
  }

  async byCode(code: string, now: number): Promise<PendingRequest<G> | undefined> {
    const id = await this.#guard(this.#store.get(this.#codeKey(code)));
    const entry = id === undefined ? undefined : await this.get(id);
    if (!entry || entry.code !== code || entry.expiresAt <= now || (entry.status !== 'pending' && entry.status !== 'interacting')) return undefined;
    return entry;
  }

  open(entry: PendingRequest<G>): Promise<boolean> {
    entry.status = 'interacting';
    return this.save(entry);
  }

  async decide(entry: PendingRequest<G>, decision: PendingDecision): Promise<boolean> {
    entry.status = decision.status;
    if (decision.status === 'approved') entry.sub = decision.sub;
    const saved = await this.save(entry);
    this.#polls.wake(entry.id);
    return saved;
  }

  async save(entry: PendingRequest<G>): Promise<boolean> {
    const read = this.#read.get(entry);
    if (read === undefined) return false;
    const record = JSON.stringify(entry);
    const saved = await this.#guard(this.#store.swap(this.#key(entry.id), read, record, this.#ttlMs(entry)));
    if (saved) this.#read.set(entry, record);
    return saved;
  }

  take(entry: PendingRequest<G>): Promise<boolean> {
    return this.#end(entry, undefined, 0);
  }

  retire(entry: PendingRequest<G>, until: number): Promise<boolean> {
    return this.#end(entry, RETIRED, (until - this.#now()) * 1000);
  }

  async retired(id: string): Promise<boolean> {
    return (await this.#guard(this.#store.get(this.#key(id)))) === RETIRED;
  }

  /** End `entry` as read (one caller wins), leaving `tombstone` for `ttlMs` or nothing. */
  async #end(entry: PendingRequest<G>, tombstone: string | undefined, ttlMs: number): Promise<boolean> {
    const read = this.#read.get(entry);
    if (read === undefined) return false;
    const ended = await this.#guard(this.#store.swap(this.#key(entry.id), read, tombstone, ttlMs));
    if (ended) {
      this.#read.delete(entry);
      await this.#guard(this.#store.delete(this.#codeKey(entry.code)));
      this.#polls.wake(entry.id);
    }
    return ended;
  }

  /** Held until decided here, seen decided (or gone) in the store, `ms` pass, or `signal` aborts. */
  async hold(id: string, ms: number, maxHeld: number, signal?: AbortSignal): Promise<boolean> {
    const recheck = setInterval(() => {
      this.#store.get(this.#key(id)).then(
        (record) => {
          const entry = this.#entry(record);
          if (entry === undefined || DECIDED.has(entry.status)) this.#polls.wake(id);
        },
        () => this.#polls.wake(id),
      );
    }, POLL_RECHECK_MS);
    try {
      return await this.#polls.hold(id, ms, maxHeld, signal);
    } finally {
      clearInterval(recheck);
    }
  }
}
