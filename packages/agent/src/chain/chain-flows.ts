/**
 * The state an intermediary keeps while it chains an interaction to its caller
 * (draft-hardt-oauth-aauth-protocol §Interaction Chaining, §Deferred Responses, §Interaction Code
 * Format): one flow per chained request, each with
 *  - its own pending URL (`Location`, 128 random bits), bound to the key that signed the caller's
 *    request: a poll signed by another key is refused (§Pending Response);
 *  - its own interaction code (Crockford base32, single use: spent when the user arrives), a new
 *    one for each further interaction the downstream asks for within the same request;
 *  - its own per-flow callback id, the address the PS sends the user back to;
 *  - an expiry: the downstream request's deadline. Past it the poll answers `408 expired`, and
 *    after a terminal answer `410` (§Deferred Response State Machine: "gone — MUST NOT retry").
 * In memory and bounded: at most `maxFlows` live in all and `maxFlowsPerCaller` per caller key, so
 * one caller cannot fill the intermediary; an ended flow is remembered (to answer `410`) for a
 * lifetime after its expiry, and never more than `maxFlows` of them.
 */
import { randomBytes } from 'node:crypto';
import { AAUTH_CURRENT, Waiters, generateInteractionCode, normalizeInteractionCode } from '@aauth-ts/core';
import { InteractionChainError } from './chain-errors.js';

/** The final answer of a chained request, as the caller's poll receives it. */
export interface ChainAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as JSON unless a string or bytes. */
  readonly body: unknown;
}

export interface ChainFlow {
  /** The pending id (the last segment of `Location`). */
  readonly id: string;
  /** The per-flow callback id (the last segment of the callback URL given to the PS). */
  readonly callbackId: string;
  /** This intermediary's interaction code for the current interaction, as shown (hyphenated). */
  code: string;
  /** RFC 7638 thumbprint of the caller's key. */
  readonly thumbprint: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  /** When the flow is forgotten (its URL then answers `404`): a lifetime after it expired. */
  readonly forgetAt: number;
  /** Set once the downstream PS asked for the user: `{PS url}?code={PS code}&callback={our callback}`, the latest interaction's. */
  upstreamUrl: string | undefined;
  /** Downstream interactions handed on so far (each with its own code). */
  interactions: number;
  /** The code the caller last received in a `202`: a newer one is answered at once, not held. */
  announced: string | undefined;
  /** The caller's `callback`, given when the user arrived. */
  callerCallback: string | undefined;
  codeUsed: boolean;
  final: ChainAnswer | undefined;
  /** The final answer was delivered (or the flow was cancelled): polls get `410`. */
  ended: boolean;
  /** The flow holds one of its caller's slots (until it ends or expires). */
  counted: boolean;
  readonly waiters: Waiters;
}

export interface ChainFlowsOptions {
  readonly maxFlows: number;
  readonly maxFlowsPerCaller: number;
  readonly now: () => number;
}

function token(): string {
  return randomBytes(16).toString('base64url');
}

export class ChainFlows {
  readonly #o: ChainFlowsOptions;
  readonly #byId = new Map<string, ChainFlow>();
  readonly #byCallback = new Map<string, ChainFlow>();
  readonly #byCode = new Map<string, ChainFlow>();
  readonly #perCaller = new Map<string, number>();
  #live = 0;

  constructor(options: ChainFlowsOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** A new flow for the caller `thumbprint`, or `InteractionChainError` `flows_full` / `caller_full` (503). */
  open(thumbprint: string, lifetimeSeconds: number): ChainFlow {
    const now = this.#o.now();
    this.sweep(now);
    if (this.#live >= this.#o.maxFlows) throw new InteractionChainError('flows_full', 'too many chained requests are in progress here; retry shortly');
    if ((this.#perCaller.get(thumbprint) ?? 0) >= this.#o.maxFlowsPerCaller) throw new InteractionChainError('caller_full', 'this caller has too many chained requests in progress; finish or cancel one first');
    const code = this.#newCode();
    const flow: ChainFlow = {
      id: token(), callbackId: token(), code, thumbprint, expiresAt: now + lifetimeSeconds, forgetAt: now + 2 * lifetimeSeconds,
      upstreamUrl: undefined, interactions: 0, announced: undefined, callerCallback: undefined, codeUsed: false, final: undefined, ended: false, counted: true, waiters: new Waiters(),
    };
    this.#byId.set(flow.id, flow);
    this.#byCallback.set(flow.callbackId, flow);
    this.#byCode.set(normalizeInteractionCode(code), flow);
    this.#perCaller.set(thumbprint, (this.#perCaller.get(thumbprint) ?? 0) + 1);
    this.#live++;
    return flow;
  }

  #newCode(): string {
    let code: string;
    do code = generateInteractionCode(); while (this.#byCode.has(normalizeInteractionCode(code)));
    return code;
  }

  /**
   * The downstream asked for the person at `upstreamUrl`. The first time the flow keeps the code it
   * was opened with; each later time the old code is withdrawn and a new one issued, which the
   * caller's next poll carries (§Interaction Chaining: "its own interaction code"). Waiting polls
   * and the callback wake.
   */
  interaction(flow: ChainFlow, upstreamUrl: string): void {
    if (flow.interactions > 0) {
      this.#byCode.delete(normalizeInteractionCode(flow.code));
      flow.code = this.#newCode();
      this.#byCode.set(normalizeInteractionCode(flow.code), flow);
      flow.codeUsed = false;
    }
    flow.interactions++;
    flow.upstreamUrl = upstreamUrl;
    flow.waiters.wakeAll();
  }

  get(id: string): ChainFlow | undefined {
    return this.#byId.get(id);
  }

  byCallback(callbackId: string): ChainFlow | undefined {
    return this.#byCallback.get(callbackId);
  }

  /**
   * §Interaction Code Format: the flow whose code this is, compared as a user may type it; spent on
   * arrival ("single-use"), and only while the flow waits for the user and has not expired.
   */
  spendCode(code: string): ChainFlow | undefined {
    const key = normalizeInteractionCode(code);
    const flow = this.#byCode.get(key);
    if (flow === undefined) return undefined;
    this.#byCode.delete(key);
    if (flow.codeUsed || flow.upstreamUrl === undefined || flow.final !== undefined || flow.expiresAt <= this.#o.now()) return undefined;
    flow.codeUsed = true;
    return flow;
  }

  /** The request ended with `answer` (once); waiting polls wake. */
  settle(flow: ChainFlow, answer: ChainAnswer): void {
    if (flow.final !== undefined) return;
    flow.final = answer;
    this.#byCode.delete(normalizeInteractionCode(flow.code));
    flow.waiters.wakeAll();
  }

  /** The flow's answer was delivered or withdrawn: from now on its pending URL answers `410`. */
  end(flow: ChainFlow): void {
    if (flow.ended) return;
    flow.ended = true;
    this.#byCode.delete(normalizeInteractionCode(flow.code));
    this.#release(flow);
    flow.waiters.wakeAll();
  }

  /** A flow that never reached its caller as a `202` (answered directly, or failed first): gone at once. */
  discard(flow: ChainFlow): void {
    this.#release(flow);
    this.#forget(flow);
  }

  /** Expire the flows nobody settled in time (their slots are free again), forget old ones. */
  sweep(now: number = this.#o.now()): void {
    let ended = 0;
    for (const flow of this.#byId.values()) if (!flow.counted) ended++;
    for (const flow of this.#byId.values()) {
      if (flow.expiresAt <= now) {
        if (flow.final === undefined && !flow.ended) this.settle(flow, expiredAnswer());
        this.#release(flow);
      }
      // Oldest first (a Map keeps insertion order): past its time, or too many remembered.
      if (!flow.counted && (flow.forgetAt <= now || ended > this.#o.maxFlows)) {
        this.#forget(flow);
        ended--;
      }
    }
  }

  #release(flow: ChainFlow): void {
    if (!flow.counted) return;
    flow.counted = false;
    this.#live--;
    const left = (this.#perCaller.get(flow.thumbprint) ?? 1) - 1;
    if (left > 0) this.#perCaller.set(flow.thumbprint, left);
    else this.#perCaller.delete(flow.thumbprint);
  }

  /** Wait until the flow settles or ends, at most `seconds`. */
  wait(flow: ChainFlow, seconds: number): Promise<void> {
    if (flow.final !== undefined || flow.ended) return Promise.resolve();
    return flow.waiters.wait(seconds);
  }

  #forget(flow: ChainFlow): void {
    this.#byId.delete(flow.id);
    this.#byCallback.delete(flow.callbackId);
    this.#byCode.delete(normalizeInteractionCode(flow.code));
  }
}

/** §Polling Error Codes `expired` (408), as a problem. */
export function expiredAnswer(): ChainAnswer {
  return problemAnswer(new InteractionChainError('expired', 'the chained request expired before it was completed'));
}

/** An error as the current profile's RFC 9457 problem, never cached. */
export function problemAnswer(err: InteractionChainError | { readonly status: number; readonly code: string; readonly message: string }): ChainAnswer {
  return {
    status: err.status,
    headers: { [AAUTH_CURRENT.headers.contentType]: AAUTH_CURRENT.problemContentType, [AAUTH_CURRENT.headers.cacheControl]: 'no-store' },
    body: { error: err.code, detail: err.message },
  };
}
