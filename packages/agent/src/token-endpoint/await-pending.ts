/**
 * Drive a pending (202) request to its end (2026-03 §Deferred Responses; wire notes §4.1):
 * tell the application where to send its user (`onInteraction`, url = the server's
 * `interaction_endpoint` + `?code=`), then poll with signed GETs, honouring `Retry-After` and
 * asking for `Prefer: wait`, until the overall deadline or the caller's abort. At the token
 * endpoint (`awaitPending`) that ends in a token (200) or a terminal error (403 `denied` /
 * `abandoned`, 408 `expired`, 410 `invalid_code` as typed `PendingEndedError`s; any other error);
 * at a resource (`awaitDeferred`, "any endpoint MAY return a 202") in whatever final response the
 * resource gives. A `503` is transient at both: wait its `Retry-After`, then poll again.
 */
import { MalformedError, PROFILE } from '@aauth-ts/core';
import { emit, type EventSink } from '../events.js';
import { PendingTimeoutError, pendingEndedError } from '../errors.js';
import type { RequestSigner } from '../identity/agent-session.js';
import { anySignal, sleep } from '../lib/abort.js';
import { signOutgoing } from '../signing/sign-outgoing.js';
import type { Transport } from '../transport/transport.js';
import { pollPending } from './poll-pending.js';
import { parseRetryAfter, processTokenResponse, type TokenResult } from './process-token-response.js';

/** `503 Service Unavailable`: the only non-202 poll answer that does not end polling. */
const UNAVAILABLE = 503;

export interface Interaction {
  /** `{interaction_endpoint}?code={code}[&callback={callback}]`: where the user approves or denies. */
  readonly url: string;
  readonly code: string;
}

export type InteractionHandler = (interaction: Interaction) => void | Promise<void>;

export interface AwaitPendingOptions {
  readonly signer: RequestSigner;
  readonly transport: Transport;
  /** The auth server's `interaction_endpoint` (issuer metadata); refused unless http(s) on `origin`. */
  readonly interactionEndpoint?: string;
  readonly onInteraction?: InteractionHandler;
  /** Where the auth server sends the user's browser (`303`) once they decide (§User Interaction `callback`). */
  readonly interactionCallback?: InteractionCallback;
  readonly onEvent?: EventSink;
  /** Overall deadline for the decision, ms. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** `Prefer: wait=N` on each poll (default 20 s): the server may hold the poll open until something changes. */
  readonly preferWaitSeconds?: number;
  /** Floor between polls, ms, so `Retry-After: 0` from a server that ignores `Prefer` is not a busy loop (default 250). */
  readonly minIntervalMs?: number;
  /** Origin every `Location` and the interaction endpoint must have (the token endpoint's, or the deferring resource's); anything else is refused. */
  readonly origin: string;
  /**
   * Current profile (draft-hardt-oauth-aauth-protocol §Deferred Responses): when the wait ends
   * without an answer (the caller's abort, the deadline), tell the server with a signed `DELETE`
   * of the pending URL, so it stops asking the person. Best effort: its answer is not awaited.
   */
  readonly cancelOnAbort?: boolean;
  /**
   * Current profile, §Deferred Delivery: called with each pending answer before it is polled (the
   * first included), so a `requirement=auth-token` can be met while the resource holds the request.
   */
  readonly beforePoll?: (pending: Pending) => Promise<void>;
  /** The token the polls present (`sig=jwt`), when not the signer's own identity. */
  readonly token?: () => string | undefined;
}

/**
 * The agent's own callback URL, fixed or made per interaction code (e.g. to carry unguessable
 * state, §Security Considerations). Auth servers accept it only on the agent's origin, or as an
 * `http` loopback URL with a port for native agents (§Endpoint URLs).
 */
export type InteractionCallback = string | ((code: string) => string);

export function interactionUrl(endpoint: string, code: string, callback?: InteractionCallback): string {
  const url = new URL(endpoint);
  url.searchParams.set(PROFILE.interaction.code, code);
  if (callback !== undefined) url.searchParams.set(PROFILE.interaction.callback, typeof callback === 'string' ? callback : callback(code));
  return url.href;
}

export type Pending = Extract<TokenResult, { kind: 'pending' }>;

/**
 * A URL a server hands us (a pending `Location`, the `interaction_endpoint` its metadata names)
 * must be http(s) on that server's origin (§Pending Response: "The Location URL MUST be on the
 * same origin as the responding server"; for an auth server, the token endpoint's, which the
 * client has already tied to the issuer): else a hostile server could send signed polls elsewhere
 * or put a `javascript:` or phishing link in front of the user.
 */
function checkOrigin(value: string, origin: string, field: 'location' | 'interaction_endpoint'): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== origin) {
    throw new MalformedError('server_error', `${field} ${JSON.stringify(value)} is not an http(s) URL on the responding server's origin ${origin}`, value, { field, reason: 'origin_mismatch' });
  }
}

/** What one poll's answer means: the end, or still pending (perhaps at a new `Location`). */
export type Settled<T> = { readonly done: T } | { readonly next: Pending };

/** A pending token request, polled until the auth server answers with a token (or an error, thrown). */
export function awaitPending(first: Pending, options: AwaitPendingOptions): Promise<Extract<TokenResult, { kind: 'token' }>> {
  return pollUntilSettled<Extract<TokenResult, { kind: 'token' }>>(first, options, async (response, pending) => {
    let result: TokenResult;
    try {
      result = await processTokenResponse(response, { base: pending.location, pendingUrl: pending.location });
    } catch (err) {
      throw pendingEndedError(err, pending.location);
    }
    return result.kind === 'token' ? { done: result } : { next: result };
  });
}

/** How a `202` to a poll is read (the profile's header names differ). */
export type ReadPending = (response: Response, pending: Pending) => Promise<Pending>;

const readTokenPending: ReadPending = async (response, pending) =>
  (await processTokenResponse(response, { base: pending.location, pendingUrl: pending.location })) as Pending;

/**
 * A deferred resource request, polled until the resource answers anything but `202` or `503`:
 * that answer is the response to the original request (§Terminal Responses), returned as it came.
 * Each `202` is read by `read`, so a new interaction code in it reaches `onInteraction`.
 */
export function awaitDeferred(first: Pending, options: AwaitPendingOptions, read: ReadPending = readTokenPending): Promise<Response> {
  return pollUntilSettled<Response>(first, options, async (response, pending) => {
    if (response.status !== 202) return { done: response };
    return { next: await read(response, pending) };
  });
}

/**
 * The poll loop both of the above use, for any endpoint whose final answer `settle` recognises
 * (the current profile's person token, auth token and mission endpoints among them).
 */
export async function pollUntilSettled<T>(first: Pending, options: AwaitPendingOptions, settle: (response: Response, pending: Pending) => Promise<Settled<T>>): Promise<T> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new PendingTimeoutError(first.location, options.timeoutMs)), options.timeoutMs);
  const signal = anySignal([deadline.signal, options.signal]) as AbortSignal;
  const minInterval = options.minIntervalMs ?? 250;
  let pending = first;
  // The code last handed to `onInteraction`: a later 202 naming a new one (an intermediary chaining
  // a further interaction, §Interaction Chaining) is handed on too.
  let notified: string | undefined;
  try {
    for (;;) {
      checkOrigin(pending.location, options.origin, 'location');
      emit(options.onEvent, { type: 'pending', location: pending.location, retryAfter: pending.retryAfter, ...(pending.require === undefined ? {} : { require: pending.require }), ...(pending.code === undefined ? {} : { code: pending.code }) });
      // Current profile: the requirement names the interaction `url` itself; 2026-03: the metadata's endpoint.
      const endpoint = pending.url ?? options.interactionEndpoint;
      if (pending.code !== undefined && pending.code !== notified && endpoint !== undefined) {
        notified = pending.code;
        checkOrigin(endpoint, options.origin, 'interaction_endpoint');
        const interaction = { url: interactionUrl(endpoint, pending.code, options.interactionCallback), code: pending.code };
        emit(options.onEvent, { type: 'interaction', ...interaction });
        await options.onInteraction?.(interaction);
      }
      await options.beforePoll?.(pending);
      await sleep(Math.max(pending.retryAfter * 1000, minInterval), signal);
      const response = await pollPending(pending.location, options.signer, {
        transport: options.transport,
        signal,
        preferWaitSeconds: options.preferWaitSeconds ?? 20,
        token: options.token?.(),
      });
      emit(options.onEvent, { type: 'poll', location: pending.location, status: response.status });
      if (response.status === UNAVAILABLE) {
        // §Deferred Responses, transient: back off for Retry-After (honoured over Prefer: wait) and
        // poll the same URL again; the overall deadline still bounds the wait.
        await response.body?.cancel();
        pending = { ...pending, retryAfter: parseRetryAfter(response.headers.get(PROFILE.headers.retryAfter)) };
        continue;
      }
      const settled = await settle(response, pending);
      if ('done' in settled) return settled.done;
      const result = settled.next;
      // A later 202 keeps the interaction code already shown unless it names a new one.
      pending = { ...result, code: result.code ?? pending.code, location: result.location };
    }
  } catch (err) {
    if (options.cancelOnAbort === true && signal.aborted) cancelPending(pending.location, options);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** A signed `DELETE` of the pending URL (current profile), sent and forgotten: the wait is over either way. */
function cancelPending(location: string, options: AwaitPendingOptions): void {
  void (async (): Promise<void> => {
    const url = new URL(location);
    const headers = signOutgoing({ method: 'DELETE', url, headers: {} }, options.signer.key, await options.signer.identity());
    const response = await options.transport(url, { method: 'DELETE', headers, signal: AbortSignal.timeout(5000) });
    emit(options.onEvent, { type: 'pending.cancelled', location, status: response.status });
    await response.body?.cancel();
  })().catch(() => undefined);
}
