/**
 * Interaction chaining for an intermediary, a resource that is also an agent
 * (draft-hardt-oauth-aauth-protocol §Interaction Chaining and the appendix flow "Interaction
 * Chaining"). A route wrapped with `chain.route(handler)` runs `handler` with a client bound to
 * the caller's auth token (`forUpstream`, §Call Chaining). If the downstream Person Server answers
 * `202` with `requirement=interaction`, the route answers its caller with ITS OWN `202`: a
 * `Location` on this intermediary, bound to the caller's key, and `AAuth-Requirement:
 * requirement=interaction; url="{base}/interaction"; code="{our code}"`. Then:
 *  1. the user opens `{base}/interaction?code={our code}[&callback={caller's callback}]`; the code
 *     is spent and the browser is sent (`303`) to `{PS url}?code={PS code}&callback={base}/callback/{flow}`;
 *  2. after the person decides at the PS, the PS sends the browser to that per-flow callback,
 *     while the client, which has kept polling the PS, obtains the auth token and the handler
 *     completes against the downstream resource;
 *  3. the callback waits for that end and sends the browser on to the caller's `callback` (with
 *     `?error=` per §Interaction Callback Errors if the request failed), or shows a short page;
 *  4. the caller's poll of our `Location` answers `202` until then, and the handler's response
 *     once; `410` afterwards, `403` to any other key, `408` past the lifetime.
 * A request may need the person more than once (a person token and then an auth token, each with
 * consent): each further interaction gets a new code of ours, which the caller's next poll carries
 * in a new `AAuth-Requirement`, and the callback sends the user back to the caller (or says another
 * approval is needed). At most `maxInteractions` per request; one more ends the request with
 * `InteractionChainError` `too_many_interactions`.
 * `router()` serves the three URLs; mount it after the resource middleware, which verifies the
 * poll's signature and sets `req.aauth`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AAUTH_CURRENT, AAuthError, ResponseError, escapeHtml, isLoopbackHost, serializeRequirement } from '@aauth-ts/core';
import type { AAuthClient } from '../client/aauth-client.js';
import type { NodeHandler } from '../identity/agent-server.js';
import type { Interaction } from '../token-endpoint/await-pending.js';
import { InteractionChainError } from './chain-errors.js';
import { ChainFlows, problemAnswer, type ChainAnswer, type ChainFlow } from './chain-flows.js';

const H = AAUTH_CURRENT.headers;
const Q = AAUTH_CURRENT.interaction;

/** What a chained route returns: the response its caller receives, directly or at the pending URL. */
export interface ChainedResponse {
  /** Default 200; a final status (not 202). */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or bytes are sent as they are; anything else as JSON. */
  readonly body?: unknown;
}

/** The request as the resource middleware leaves it: `req.aauth` with the caller's key and token. */
export type ChainRequest = IncomingMessage & { readonly aauth?: { readonly thumbprint?: unknown; readonly authToken?: unknown } };

export type ChainedHandler<R extends ChainRequest = ChainRequest> = (req: R, client: AAuthClient) => Promise<ChainedResponse>;

export interface InteractionChainOptions {
  /** The intermediary's own client, `profile: 'aauth-current'`. */
  readonly client: AAuthClient;
  /**
   * Absolute URL the chain's three endpoints live under, on this intermediary's origin (e.g.
   * `https://r1.example/aauth/chain`): `/interaction`, `/callback/{flow}`, `/pending/{id}`.
   */
  readonly baseUrl: string;
  /** How long a chained request may wait for the person, seconds (the caller's code and pending URL expire with it). Default 600. */
  readonly lifetimeSeconds?: number;
  /** Chained requests held at once, in all. Default 1000. */
  readonly maxFlows?: number;
  /** Chained requests held at once per caller key. Default 8. */
  readonly maxFlowsPerCaller?: number;
  /** Longest a poll is held for `Prefer: wait=N`, seconds. Default 20. */
  readonly maxWaitSeconds?: number;
  /** How long the PS's callback waits for the request to finish before showing "still working", seconds. Default 30. */
  readonly callbackWaitSeconds?: number;
  /** Failed code attempts per client address per minute before the interaction URL refuses (`429`). Default 10. */
  readonly maxCodeFailures?: number;
  /** Downstream interactions handed on within one chained request. Default 4. */
  readonly maxInteractions?: number;
  /** Clock, seconds since the epoch. */
  readonly now?: () => number;
}

/** §Interaction Callback Errors, from the polling error the chained request ended with. */
const CALLBACK_ERRORS: Readonly<Record<string, string>> = { denied: 'access_denied', abandoned: 'user_abandoned', expired: 'interaction_expired' };

/**
 * The `error` for the caller's callback: the one the PS reported (one of §Interaction Callback
 * Errors, passed on), else the one the chained request ended with, else `server_error`.
 */
function callbackError(reported: string | null, final: ChainAnswer | undefined): string {
  if (reported !== null && Object.hasOwn(AAUTH_CURRENT.interactionCallbackErrors, reported)) return reported;
  return CALLBACK_ERRORS[String((final?.body as { error?: unknown } | undefined)?.error)] ?? 'server_error';
}

function send(res: ServerResponse, answer: ChainAnswer): void {
  const { body } = answer;
  const raw = typeof body === 'string' || body instanceof Uint8Array;
  const headers: Record<string, string> = { ...answer.headers };
  if (!raw && body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers[H.contentType] = 'application/json';
  res.writeHead(answer.status, headers);
  res.end(body === undefined ? undefined : raw ? body : JSON.stringify(body));
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  res.writeHead(status, { [H.contentType]: 'text/html; charset=utf-8', [H.cacheControl]: 'no-store', 'Content-Security-Policy': "default-src 'none'" });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`);
}

/**
 * On to the caller's callback by a page of ours, not a `303`: the browser arrived here by the PS's
 * `303` after its consent form, and a browser checks that form page's CSP `form-action` against
 * every redirect of the submission (CSP3 §form-action), which names our origin but cannot name the
 * caller's. A new navigation from our page is no form submission.
 */
function onward(res: ServerResponse, target: string): void {
  const url = escapeHtml(target);
  res.writeHead(200, { [H.contentType]: 'text/html; charset=utf-8', [H.cacheControl]: 'no-store', 'Content-Security-Policy': "default-src 'none'", 'Referrer-Policy': 'no-referrer' });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${url}"><title>Returning to the application</title></head><body><p><a href="${url}">Return to the application</a></p></body></html>`);
}

function toAnswer(response: ChainedResponse): ChainAnswer {
  const status = response.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599 || status === 202) throw new TypeError('a chained route must return a final status (200-599, not 202)');
  return { status, headers: { ...response.headers }, body: response.body };
}

/** How a failed chained request reaches the caller's poll: the downstream's error code and status, else `500`. */
function errorAnswer(err: unknown): ChainAnswer {
  if (err instanceof ResponseError) return problemAnswer({ status: err.status, code: err.serverError, message: err.message });
  if (err instanceof AAuthError) return problemAnswer(err);
  return problemAnswer({ status: 500, code: 'server_error', message: 'the chained request failed' });
}

function lastSegment(path: string, prefix: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  return /^[\w-]{10,64}$/.test(rest) ? rest : undefined;
}

/** `Prefer: wait=N` (RFC 7240 §4.3), seconds; 0 when absent. */
function preferWait(req: IncomingMessage): number {
  const match = /(?:^|[,;\s])wait=(\d{1,6})(?:$|[,;\s])/i.exec(String(req.headers.prefer ?? ''));
  return match ? Number(match[1]) : 0;
}

export class InteractionChain {
  readonly #client: AAuthClient;
  readonly #base: URL;
  readonly #flows: ChainFlows;
  readonly #lifetime: number;
  readonly #maxWait: number;
  readonly #callbackWait: number;
  readonly #maxFailures: number;
  readonly #maxInteractions: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, { count: number; resetAt: number }>();

  constructor(options: InteractionChainOptions) {
    if (options.client?.profile !== AAUTH_CURRENT.name) throw new TypeError('InteractionChain: the client must speak the aauth-current profile');
    const base = URL.canParse(options.baseUrl) ? new URL(options.baseUrl) : undefined;
    const secure = base !== undefined && (base.protocol === 'https:' || (options.client.development && base.protocol === 'http:' && isLoopbackHost(base.hostname)));
    if (!secure || base.search !== '' || base.hash !== '') throw new TypeError('InteractionChain: baseUrl must be an https URL (loopback http in development) without query or fragment');
    this.#client = options.client;
    this.#base = new URL(base.href.replace(/\/+$/, ''));
    this.#lifetime = options.lifetimeSeconds ?? 600;
    this.#maxWait = options.maxWaitSeconds ?? 20;
    this.#callbackWait = options.callbackWaitSeconds ?? 30;
    this.#maxFailures = options.maxCodeFailures ?? 10;
    this.#maxInteractions = options.maxInteractions ?? 4;
    this.#now = options.now ?? ((): number => Math.floor(Date.now() / 1000));
    this.#flows = new ChainFlows({ maxFlows: options.maxFlows ?? 1000, maxFlowsPerCaller: options.maxFlowsPerCaller ?? 8, now: this.#now });
  }

  /** The `url` of our `requirement=interaction`: where the caller sends its user. */
  get interactionEndpoint(): string {
    return `${this.#base.href}/interaction`;
  }

  /** Chained requests held now (pending, or ended and remembered to answer `410`). */
  get size(): number {
    return this.#flows.size;
  }

  /**
   * An express-compatible handler running `handler(req, client)` with `client` bound to the
   * caller's auth token (`req.aauth.authToken`); its answer goes to the caller directly, or, once a
   * downstream PS asks for the person, through our own `202` and pending URL. Put it behind the
   * resource middleware's `requireAuth(...)`. An error before any interaction goes to `next(err)`.
   */
  route<R extends ChainRequest = ChainRequest>(handler: ChainedHandler<R>): NodeHandler {
    return (req, res, next) => {
      void this.#run(req as R, res, handler).catch((err: unknown) => {
        if (next !== undefined) next(err);
        else if (!res.headersSent) send(res, errorAnswer(err));
      });
    };
  }

  async #run<R extends ChainRequest>(req: R, res: ServerResponse, handler: ChainedHandler<R>): Promise<void> {
    const caller = req.aauth;
    const thumbprint = caller?.thumbprint;
    if (typeof thumbprint !== 'string') throw new InteractionChainError('unsigned', 'a chained route needs the resource middleware\'s verified caller (req.aauth)');
    const upstream = typeof caller?.authToken === 'string' ? caller.authToken : undefined;
    const flow = this.#flows.open(thumbprint, this.#lifetime);
    let asked!: () => void;
    const interaction = new Promise<'interaction'>((resolve) => { asked = () => resolve('interaction'); });
    const client = this.#client.forUpstream(upstream).withInteraction({
      interactionCallback: `${this.#base.href}/callback/${flow.callbackId}`,
      onInteraction: (i: Interaction) => {
        if (flow.interactions >= this.#maxInteractions) {
          const err = new InteractionChainError('too_many_interactions', `the downstream asked for the person more than ${this.#maxInteractions} times in one request`);
          this.#flows.settle(flow, problemAnswer(err));
          // Thrown into the client's wait, so the handler stops instead of polling on.
          throw err;
        }
        this.#flows.interaction(flow, i.url);
        asked();
      },
    });
    const work = handler(req, client).then(toAnswer);
    let first: ChainAnswer | 'interaction';
    try {
      first = await Promise.race([work, interaction]);
    } catch (err) {
      this.#flows.discard(flow);
      throw err;
    }
    if (first !== 'interaction') {
      this.#flows.discard(flow);
      send(res, first);
      return;
    }
    // From here the caller polls: the outcome, good or bad, is its answer there.
    void work.then((answer) => this.#flows.settle(flow, answer), (err: unknown) => this.#flows.settle(flow, errorAnswer(err)));
    send(res, this.#pending(flow));
  }

  /** §Interaction Required: our own `202`, `Location`, `AAuth-Requirement` with our url and code. */
  #pending(flow: ChainFlow): ChainAnswer {
    flow.announced = flow.code;
    const requirement = serializeRequirement({ requirement: 'interaction', url: this.interactionEndpoint, code: flow.code }, { allowLoopbackHttp: this.#client.development });
    return {
      status: 202,
      headers: {
        [H.location]: `${this.#base.href}/pending/${flow.id}`, [H.retryAfter]: '0', [H.cacheControl]: 'no-store', [H.requirement]: requirement,
      },
      body: { [AAUTH_CURRENT.deferred.status]: flow.codeUsed ? AAUTH_CURRENT.deferred.interacting : AAUTH_CURRENT.deferred.pending },
    };
  }

  /** `GET|DELETE {base}/pending/{id}`, `GET {base}/interaction`, `GET {base}/callback/{flow}`; anything else passes on. */
  router(): NodeHandler {
    return (req, res, next) => {
      const url = new URL((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/', this.#base.origin);
      const path = url.pathname;
      const base = this.#base.pathname;
      const pending = lastSegment(path, `${base}/pending/`);
      const callback = lastSegment(path, `${base}/callback/`);
      let handled: Promise<void> | undefined;
      if (pending !== undefined && (req.method === 'GET' || req.method === 'DELETE')) handled = this.#poll(req as ChainRequest, res, pending);
      else if (path === `${base}/interaction` && req.method === 'GET') handled = Promise.resolve(this.#interaction(req, res, url));
      else if (callback !== undefined && req.method === 'GET') handled = this.#callback(res, callback, url);
      if (handled === undefined) {
        next?.();
        return;
      }
      handled.catch((err: unknown) => {
        if (!res.headersSent) send(res, errorAnswer(err));
      });
    };
  }

  /** The caller's poll (§Polling with GET) or cancellation (`DELETE`, §Deferred Responses). */
  async #poll(req: ChainRequest, res: ServerResponse, id: string): Promise<void> {
    this.#flows.sweep();
    const thumbprint = req.aauth?.thumbprint;
    if (typeof thumbprint !== 'string') return send(res, problemAnswer(new InteractionChainError('unsigned', 'poll a pending URL with a signed request')));
    const flow = this.#flows.get(id);
    if (flow === undefined) return send(res, problemAnswer(new InteractionChainError('unknown', 'no such pending request')));
    if (flow.thumbprint !== thumbprint) return send(res, problemAnswer(new InteractionChainError('other_key', 'this pending request belongs to another key')));
    if (flow.ended) return send(res, problemAnswer(new InteractionChainError('gone', 'this pending request has already been answered or withdrawn')));
    if (req.method === 'DELETE') {
      this.#flows.end(flow);
      res.writeHead(204).end();
      return;
    }
    if (flow.announced === flow.code) await this.#flows.wait(flow, Math.min(preferWait(req), this.#maxWait));
    this.#flows.sweep();
    if (flow.ended) return send(res, problemAnswer(new InteractionChainError('gone', 'this pending request has been withdrawn')));
    if (flow.final === undefined) return send(res, this.#pending(flow));
    this.#flows.end(flow);
    send(res, flow.final);
  }

  /** The user arrives with our code: spend it, remember the caller's callback, on to the PS. */
  #interaction(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const client = req.socket.remoteAddress ?? '';
    const now = this.#now();
    const failures = this.#failures.get(client);
    if (failures !== undefined && failures.resetAt <= now) this.#failures.delete(client);
    else if (failures !== undefined && failures.count >= this.#maxFailures) return page(res, 429, 'Too many attempts', 'Wait a minute, then try again.');
    const code = url.searchParams.get(Q.code);
    const callback = url.searchParams.get(Q.callback) ?? undefined;
    if (callback !== undefined && !this.#callbackAllowed(callback)) {
      return page(res, new InteractionChainError('callback_refused', 'callback refused').status, 'Return address refused', 'The application asked to be sent back to an address that is not an https URL.');
    }
    const flow = code === null ? undefined : this.#flows.spendCode(code);
    if (flow === undefined || flow.upstreamUrl === undefined) {
      this.#fail(client, now);
      return page(res, new InteractionChainError('invalid_code', 'code refused').status, 'Request not found', 'This code is unknown, already used or expired. Return to the application and start again.');
    }
    flow.callerCallback = callback;
    res.writeHead(303, { [H.location]: flow.upstreamUrl, [H.cacheControl]: 'no-store' }).end();
  }

  /**
   * The PS sends the user back: wait for the chained request to end (or to need the person again),
   * then on to the caller's callback.
   */
  async #callback(res: ServerResponse, id: string, url: URL): Promise<void> {
    const flow = this.#flows.byCallback(id);
    if (flow === undefined) return page(res, new InteractionChainError('unknown', 'no such callback').status, 'Request not found', 'This request is unknown or has ended.');
    // An unspent code: a further interaction is already waiting for the caller to hand on.
    if (flow.codeUsed) await this.#flows.wait(flow, this.#callbackWait);
    const final = flow.final;
    const reported = url.searchParams.get(Q.error);
    const failed = reported !== null || (final !== undefined && final.status >= 400);
    const again = final === undefined && !failed && !flow.codeUsed;
    if (again && flow.callerCallback !== undefined) return onward(res, flow.callerCallback);
    if (again) return page(res, 200, 'One more approval', 'Another approval is needed for this request; return to the application.');
    if (final === undefined && !failed) return page(res, 200, 'Almost done', 'The request is still being completed; the application will receive the result. You may close this page.');
    if (flow.callerCallback !== undefined) {
      const target = new URL(flow.callerCallback);
      if (failed) target.searchParams.set(Q.error, callbackError(reported, final));
      return onward(res, target.href);
    }
    if (failed) return page(res, 200, 'Not completed', 'The request was not completed. Return to the application.');
    page(res, 200, 'Done', 'You may close this page and return to the application.');
  }

  /** §User Interaction `callback`: https, or loopback http in development; no credentials or fragment. */
  #callbackAllowed(callback: string): boolean {
    if (!URL.canParse(callback) || callback.includes('#')) return false;
    const url = new URL(callback);
    if (url.username !== '' || url.password !== '') return false;
    return url.protocol === 'https:' || (this.#client.development && url.protocol === 'http:' && isLoopbackHost(url.hostname));
  }

  #fail(client: string, now: number): void {
    const entry = this.#failures.get(client) ?? { count: 0, resetAt: now + 60 };
    entry.count++;
    this.#failures.set(client, entry);
    // Bounded: the oldest address is forgotten first.
    if (this.#failures.size > 10_000) this.#failures.delete(this.#failures.keys().next().value as string);
  }
}
