/**
 * Pending (deferred) token requests waiting for the user (2026-03 §Token Endpoint, 202 response;
 * §Polling). Each has an unguessable id (the `Location`), an interaction `code` of 8 characters
 * from A-Z0-9 (RFC 3986 unreserved, no hyphens), the requester's key thumbprint (only that key may
 * poll), and a lifetime. The store is bounded: when full it refuses new requests, and each agent
 * holds at most its share, so one agent's flood refuses that agent only.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { AgentQuota } from './agent-quota.js';
import { PollWaiters } from './poll-waiters.js';

/**
 * `pending`: the code was never opened; `interacting`: the code was opened (it is spent);
 * `approved` / `denied`: the user decided; `code_reused`: the spent code was presented again, so
 * the request is ended (§Polling Error Codes `invalid_code`). Polls say `"pending"` for the first two.
 */
export type PendingStatus = 'pending' | 'interacting' | 'approved' | 'denied' | 'code_reused';

/** The statuses that end a request: the next poll gives its terminal answer. */
export type PendingDecision = { readonly status: 'approved'; readonly sub: string } | { readonly status: 'denied' } | { readonly status: 'code_reused' };

/** What the token will say once the user approves. */
export interface PendingGrant {
  readonly aud: string;
  readonly agent: string;
  readonly cnfJwk: import('@aauth-ts/core').PublicJwk;
  readonly scopes: readonly string[];
  readonly txn: string | undefined;
  /** A user already named by an upstream token: only that user may approve. */
  readonly requiredUser: string | undefined;
}

/** What a pending request will yield once decided; the store only needs to know whose it is. */
export interface GrantOwner {
  readonly agent: string;
}

export interface PendingRequest<G extends GrantOwner = PendingGrant> {
  readonly id: string;
  readonly code: string;
  /** RFC 7638 thumbprint of the key that made the token request. */
  readonly jkt: string;
  readonly grant: G;
  readonly purpose: string | undefined;
  readonly loginHint: string | undefined;
  /** OpenID Connect Enterprise Extensions 1.0 hints, for the consent page and its policy. */
  readonly tenant: string | undefined;
  readonly domainHint: string | undefined;
  readonly expiresAt: number;
  status: PendingStatus;
  /** The approving user's id, once approved. */
  sub: string | undefined;
  /** One-time token that ties the consent form to a successful login. */
  consentTicket: { readonly value: string; readonly userId: string } | undefined;
  /** Where the browser goes once the user decides (§User Interaction `callback`), as last opened. */
  callback?: string | undefined;
}

export interface PendingStoreOptions {
  /** Default 10 000. */
  readonly maxEntries?: number;
  /** Pending requests one agent may have at a time. Default a tenth of `maxEntries`. */
  readonly maxPerAgent?: number;
  /** Symbols interaction codes are drawn from (default A-Z0-9) and their number (default 8). */
  readonly codeAlphabet?: string;
  readonly codeLength?: number;
}

/** Why `create` made nothing: the whole store is full, or this agent holds its whole share. */
export type PendingRefusal = 'full' | 'agent_full';

/** What `create` is given. */
export interface PendingInput<G extends GrantOwner = PendingGrant> {
  readonly jkt: string;
  readonly grant: G;
  readonly purpose: string | undefined;
  readonly loginHint: string | undefined;
  readonly tenant?: string | undefined;
  readonly domainHint?: string | undefined;
  readonly lifetimeSeconds: number;
}

/**
 * Pending requests, in this process (`PendingStore`, answering at once) or in a store shared by
 * several instances (`SharedPendingStore`), so a request made on one instance can be opened,
 * decided and polled on any other. An entry is a copy of the state read: a change is written
 * with `open`, `decide` or `save`, and each answers false when the request changed or ended
 * meanwhile (on another instance); then the caller acts as if the request were gone.
 */
export interface PendingRequests<G extends GrantOwner = PendingGrant> {
  create(input: PendingInput<G>, now: number): PendingRequest<G> | PendingRefusal | Promise<PendingRequest<G> | PendingRefusal>;
  get(id: string): PendingRequest<G> | undefined | Promise<PendingRequest<G> | undefined>;
  byCode(code: string, now: number): PendingRequest<G> | undefined | Promise<PendingRequest<G> | undefined>;
  open(entry: PendingRequest<G>): boolean | Promise<boolean>;
  decide(entry: PendingRequest<G>, decision: PendingDecision): boolean | Promise<boolean>;
  /** Write `entry`'s `consentTicket` and `callback` as changed by the caller. */
  save(entry: PendingRequest<G>): boolean | Promise<boolean>;
  /** End the request after its terminal answer: true for exactly one caller, however many poll at once. */
  take(entry: PendingRequest<G>): boolean | Promise<boolean>;
  /**
   * End the request after its terminal answer (or its withdrawal), as `take`, but remember until
   * `until` (seconds) that it was answered, so its URL can say so (`retired`: 410) rather than not
   * knowing it.
   */
  retire(entry: PendingRequest<G>, until: number): boolean | Promise<boolean>;
  /** Whether `id` named a request that was retired and is still remembered so. */
  retired(id: string, now: number): boolean | Promise<boolean>;
  hold(id: string, ms: number, maxHeld: number, signal?: AbortSignal): Promise<boolean>;
  readonly held: number;
}

/** How long an expired request still answers `expired` before its URL goes away. */
export const EXPIRED_GRACE_SECONDS = 600;
const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** An unguessable request id: 192 random bits. */
export function newPendingId(): string {
  return randomBytes(24).toString('base64url');
}

/** `length` characters from `alphabet` (default 8 from A-Z0-9); the caller makes sure no live request has it. */
export function newInteractionCode(alphabet: string = CODE_ALPHABET, length = 8): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** A new request's state, the same in every store. */
export function newPendingRequest<G extends GrantOwner>(id: string, code: string, input: PendingInput<G>, now: number): PendingRequest<G> {
  return {
    id, code, jkt: input.jkt, grant: input.grant, purpose: input.purpose, loginHint: input.loginHint,
    tenant: input.tenant, domainHint: input.domainHint, expiresAt: now + input.lifetimeSeconds, status: 'pending', sub: undefined, consentTicket: undefined,
  };
}

export class PendingStore<G extends GrantOwner = PendingGrant> implements PendingRequests<G> {
  readonly #max: number;
  readonly #quota: AgentQuota;
  readonly #alphabet: string;
  readonly #codeLength: number;
  readonly #byId = new Map<string, PendingRequest<G>>();
  /** Requests that gave their terminal answer, kept by id until the time given to `retire`. */
  readonly #retired = new Map<string, number>();
  readonly #byCode = new Map<string, string>();
  readonly #polls = new PollWaiters();
  /** Sweeps are O(size): at most one per clock second, however hard a full store is pushed. */
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: PendingStoreOptions = {}) {
    this.#max = options.maxEntries ?? 10_000;
    this.#quota = AgentQuota.shareOf(this.#max, options.maxPerAgent);
    this.#alphabet = options.codeAlphabet ?? CODE_ALPHABET;
    this.#codeLength = options.codeLength ?? 8;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** A new pending request for `grant.agent`, or why there is none. */
  create(input: PendingInput<G>, now: number): PendingRequest<G> | PendingRefusal {
    const agent = input.grant.agent;
    if ((this.#byId.size >= this.#max || this.#quota.full(agent)) && now !== this.#sweptAt) {
      this.#sweptAt = now;
      this.sweep(now);
    }
    if (this.#byId.size >= this.#max) return 'full';
    if (this.#quota.full(agent)) return 'agent_full';
    const id = newPendingId();
    let code: string;
    do code = newInteractionCode(this.#alphabet, this.#codeLength); while (this.#byCode.has(code));
    const entry = newPendingRequest(id, code, input, now);
    this.#byId.set(id, entry);
    this.#byCode.set(code, id);
    this.#quota.add(agent);
    return entry;
  }

  get(id: string): PendingRequest<G> | undefined {
    return this.#byId.get(id);
  }

  /**
   * The request an interaction code belongs to, while it can still be decided (unopened or being
   * answered); `undefined` for an unknown code, or one whose request expired or ended.
   */
  byCode(code: string, now: number): PendingRequest<G> | undefined {
    const id = this.#byCode.get(code);
    const entry = id === undefined ? undefined : this.#byId.get(id);
    if (!entry || entry.expiresAt <= now || (entry.status !== 'pending' && entry.status !== 'interacting')) return undefined;
    return entry;
  }

  /** The code was opened: it is spent (§Interaction Code Security, single use). */
  open(entry: PendingRequest<G>): boolean {
    entry.status = 'interacting';
    return this.save(entry);
  }

  /** Record how a request ended and release every poll held on it. */
  decide(entry: PendingRequest<G>, decision: PendingDecision): boolean {
    entry.status = decision.status;
    if (decision.status === 'approved') entry.sub = decision.sub;
    this.#polls.wake(entry.id);
    return this.save(entry);
  }

  /** Entries are the stored objects themselves: changed in place, they are saved while still stored. */
  save(entry: PendingRequest<G>): boolean {
    return this.#byId.get(entry.id) === entry;
  }

  take(entry: PendingRequest<G>): boolean {
    if (!this.save(entry)) return false;
    this.delete(entry.id);
    return true;
  }

  /**
   * Hold a poll (RFC 7240 `wait`) until the request is decided, `ms` pass, or `signal` aborts (the
   * client went away). At most `maxHeld` polls are held at once: beyond that it returns false at
   * once and the poll is answered without waiting.
   */
  hold(id: string, ms: number, maxHeld: number, signal?: AbortSignal): Promise<boolean> {
    return this.#polls.hold(id, ms, maxHeld, signal);
  }

  /** Polls held right now. */
  get held(): number {
    return this.#polls.held;
  }

  /** Forget a request after its terminal answer: its URL then answers 404. */
  delete(id: string): void {
    const entry = this.#byId.get(id);
    if (!entry) return;
    this.#byId.delete(id);
    this.#byCode.delete(entry.code);
    this.#quota.remove(entry.grant.agent);
    this.#polls.wake(id);
  }

  retire(entry: PendingRequest<G>, until: number): boolean {
    if (!this.save(entry)) return false;
    const id = entry.id;
    this.delete(id);
    // Bounded like the requests: past `maxEntries` the oldest answered URL says 404 rather than 410.
    if (this.#retired.size >= this.#max) this.#retired.delete(this.#retired.keys().next().value as string);
    this.#retired.set(id, until);
    return true;
  }

  retired(id: string, now: number): boolean {
    const until = this.#retired.get(id);
    if (until === undefined) return false;
    if (until < now) {
      this.#retired.delete(id);
      return false;
    }
    return true;
  }

  /**
   * Drop requests nobody polled for long after expiry. An expired request is kept for one more
   * lifetime so the agent can still learn `expired` (408) before the URL goes away.
   */
  sweep(now: number): void {
    for (const entry of this.#byId.values()) {
      if (now > entry.expiresAt + EXPIRED_GRACE_SECONDS) this.delete(entry.id);
    }
    for (const [id, until] of this.#retired) if (until < now) this.#retired.delete(id);
  }
}
