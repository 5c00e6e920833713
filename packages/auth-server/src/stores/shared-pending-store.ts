/**
 * Pending requests in a store shared by several auth-server instances: a request made on one is
 * opened, decided and polled on any other (2026-03 §Deferred Responses, §Polling). A request is
 * one JSON record (`pending:{id}`) and its code an index to it (`pending-code:{code}`), both
 * living until the request's end plus the `expired` grace. Every change is a compare-and-set of
 * the record as read (`SharedStore.swap`, a Lua script on Redis), so two instances acting on the
 * same request cannot both win: in particular an approved request's token is issued once.
 * A held poll is woken at once by a decision on this instance and re-reads the record every
 * `POLL_RECHECK_MS` for decisions made elsewhere.
 */
import { LOG_COMPONENT } from '../http/decision-route.js';
import { guardStoreCall, type AAuthLogger, type SharedStore } from '@aauth-ts/core';
import { EXPIRED_GRACE_SECONDS, newInteractionCode, newPendingId, newPendingRequest, type PendingDecision, type PendingInput, type PendingRefusal, type PendingRequest, type PendingRequests } from './pending-store.js';
import { PollWaiters } from './poll-waiters.js';

const POLL_RECHECK_MS = 250;
const DECIDED: ReadonlySet<string> = new Set(['approved', 'denied', 'code_reused']);
/** A code collision among 36^8 codes is rare; this many in a row means something else is wrong. */
const CODE_ATTEMPTS = 8;

export class SharedPendingStore implements PendingRequests {
  readonly #store: SharedStore;
  readonly #logger: AAuthLogger;
  readonly #now: () => number;
  readonly #polls = new PollWaiters();
  /** The record each entry was read as: what `swap` compares against. */
  readonly #read = new WeakMap<PendingRequest, string>();

  /** `now`: the server's clock, seconds since the epoch. */
  constructor(store: SharedStore, logger: AAuthLogger, now: () => number) {
    this.#store = store;
    this.#logger = logger;
    this.#now = now;
  }

  get held(): number {
    return this.#polls.held;
  }

  #guard<T>(call: Promise<T>): Promise<T> {
    return guardStoreCall(call, this.#logger, LOG_COMPONENT, 'the shared pending-request store');
  }

  #ttlMs(entry: PendingRequest): number {
    return (entry.expiresAt + EXPIRED_GRACE_SECONDS - this.#now()) * 1000;
  }

  #entry(record: string | undefined): PendingRequest | undefined {
    if (record === undefined) return undefined;
    const entry = JSON.parse(record) as PendingRequest;
    this.#read.set(entry, record);
    return entry;
  }

  async create(input: PendingInput, now: number): Promise<PendingRequest | PendingRefusal> {
    const id = newPendingId();
    const entry = newPendingRequest(id, '', input, now);
    const ttlMs = this.#ttlMs(entry);
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = newInteractionCode();
      if (!(await this.#guard(this.#store.add(`pending-code:${code}`, id, ttlMs)))) continue;
      const made: PendingRequest = { ...entry, code };
      const record = JSON.stringify(made);
      await this.#guard(this.#store.put(`pending:${id}`, record, ttlMs));
      this.#read.set(made, record);
      return made;
    }
    return 'full';
  }

  async get(id: string): Promise<PendingRequest | undefined> {
    return this.#entry(await this.#guard(this.#store.get(`pending:${id}`)));
  }

  async byCode(code: string, now: number): Promise<PendingRequest | undefined> {
    const id = await this.#guard(this.#store.get(`pending-code:${code}`));
    const entry = id === undefined ? undefined : await this.get(id);
    if (!entry || entry.code !== code || entry.expiresAt <= now || (entry.status !== 'pending' && entry.status !== 'interacting')) return undefined;
    return entry;
  }

  open(entry: PendingRequest): Promise<boolean> {
    entry.status = 'interacting';
    return this.save(entry);
  }

  async decide(entry: PendingRequest, decision: PendingDecision): Promise<boolean> {
    entry.status = decision.status;
    if (decision.status === 'approved') entry.sub = decision.sub;
    const saved = await this.save(entry);
    this.#polls.wake(entry.id);
    return saved;
  }

  async save(entry: PendingRequest): Promise<boolean> {
    const read = this.#read.get(entry);
    if (read === undefined) return false;
    const record = JSON.stringify(entry);
    const saved = await this.#guard(this.#store.swap(`pending:${entry.id}`, read, record, this.#ttlMs(entry)));
    if (saved) this.#read.set(entry, record);
    return saved;
  }

  async take(entry: PendingRequest): Promise<boolean> {
    const read = this.#read.get(entry);
    if (read === undefined) return false;
    const taken = await this.#guard(this.#store.swap(`pending:${entry.id}`, read, undefined, 0));
    if (taken) {
      this.#read.delete(entry);
      await this.#guard(this.#store.delete(`pending-code:${entry.code}`));
      this.#polls.wake(entry.id);
    }
    return taken;
  }

  /** Held until decided here, seen decided (or gone) in the store, `ms` pass, or `signal` aborts. */
  async hold(id: string, ms: number, maxHeld: number, signal?: AbortSignal): Promise<boolean> {
    const recheck = setInterval(() => {
      this.#store.get(`pending:${id}`).then(
        (record) => { if (record === undefined || DECIDED.has((JSON.parse(record) as PendingRequest).status)) this.#polls.wake(id); },
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
