/**
 * What a request wrapper (the `fetch` wrapper, the axios interceptor) needs from the client: who
 * signs, how to send, the token to carry, how a `401` challenge becomes a token, and how a `202`
 * becomes the final response. `AAuthClient` implements it; the
 * wrapper depends on this shape only, so the client can offer `client.fetch()` without the two
 * modules importing each other (it lives beside the wrapper, its consumer).
 */
import type { EventSink } from '../events.js';
import type { RequestSigner } from '../identity/agent-session.js';
import type { Transport } from '../transport/transport.js';

export interface ChallengeContext {
  /** The auth token the challenged request carried (if that very token is cached, it is dropped). */
  readonly sentToken?: string | undefined;
  readonly upstreamToken?: string | undefined;
  /** This caller's cancellation; a shared exchange keeps running for the other waiters. */
  readonly signal?: AbortSignal | undefined;
}

export interface DeferredContext {
  /** This caller's cancellation. */
  readonly signal?: AbortSignal | undefined;
  /** Overall deadline for this request's wait, ms (default: the client's `pendingTimeoutMs`). */
  readonly timeoutMs?: number | undefined;
}

export interface ChallengeAnswerer {
  readonly session: RequestSigner;
  readonly transport: Transport;
  readonly onEvent: EventSink | undefined;
  /** The response header naming what a resource requires (`aauth`, or `aauth-requirement` in the current profile), lowercase. */
  readonly challengeHeader: string;
  /** How many `401`s one request may answer (each with a fresh token, never twice the same). */
  readonly maxAnswers: number;
  /** The upstream auth token the client is bound to (call chaining), if any. */
  readonly upstreamToken: string | undefined;
  /** A usable cached auth token for `url`, refreshed once expired (or early, when configured); undefined if none. */
  tokenFor(url: URL, upstreamToken?: string, signal?: AbortSignal): Promise<string | undefined>;
  /** The auth token to retry with after a `401`, or undefined when the challenge is not for an auth token. */
  answerChallenge(url: URL, challengeHeader: string, context?: ChallengeContext): Promise<string | undefined>;
  /** The final response to a request the resource at `url` deferred with `response` (a `202` with `Location`). */
  awaitDeferred(url: URL, response: Response, context?: DeferredContext): Promise<Response>;
  /** Components the resource at `url` asked to be covered (its metadata, or a refusal), beyond the default. */
  signatureComponents(url: URL): readonly string[];
  /** Remember what a `required_components` refusal from the resource at `url` named. */
  learnComponents(url: URL, required: readonly string[]): void;
}
