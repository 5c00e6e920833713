/**
 * `fetch` with AAuth (2026-03 §Request Signing, §Challenge, §Token Endpoint, §Deferred
 * Responses): every send is signed afresh over the exact body bytes; a `401` with
 * `AAuth: require=auth-token` is answered (verify the resource token, exchange at the named auth
 * server, wait out a 202) and the request is retried once with
 * `Signature-Key: sig=jwt;jwt="<auth token>"`. A 401 on the retry is returned to the caller, never
 * answered with a second exchange. A `202` with `Location` from the resource is polled to its
 * final response, which is returned as the response to the request (`noPoll` turns that off).
 * A `401 invalid_signature` naming `required_components` the signature lacks (§Covered
 * Components) is answered by signing the same request again, once per call, covering them; the
 * resource's list is remembered for later calls.
 */
import { emit } from '../events.js';
import type { ChallengeAnswerer } from './challenge-answerer.js';
import { H, SIGNATURE_HEADERS } from '../lib/header-names.js';
import { coveredBy, refusedFor } from '../signing/required-components.js';
import { signOutgoing } from '../signing/sign-outgoing.js';

/** Per-call AAuth options, under `init.aauth`. */
export interface AAuthRequestOptions {
  /** Call chaining: the auth token of the request being served (e.g. `req.aauth.authToken`). */
  readonly upstreamToken?: string;
  /** Send this request unsigned and untouched. */
  readonly disabled?: boolean;
  /** Answer no challenge: a 401 goes straight to the caller. */
  readonly noRetry?: boolean;
  /** Do not wait out a `202` from the resource: it goes straight to the caller. */
  readonly noPoll?: boolean;
  /** Overall deadline for waiting out a `202` from the resource, ms (default: the client's `pendingTimeoutMs`). */
  readonly pendingTimeoutMs?: number;
}

export type AAuthRequestInit = RequestInit & { aauth?: AAuthRequestOptions };

const BODYLESS = new Set(['GET', 'HEAD']);
const UNAUTHORIZED = 401;
const ACCEPTED = 202;

/**
 * §Pending Response: "Every 202 response MUST include a Location header". A 202 without one is
 * not a deferral we could poll, and goes to the caller as it is.
 */
export function isDeferral(status: number, location: string | null | undefined, options: AAuthRequestOptions): boolean {
  return status === ACCEPTED && typeof location === 'string' && location !== '' && options.noPoll !== true;
}

interface Prepared {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | undefined;
}

/**
 * Resolve `input`/`init` the way fetch would — including the `Content-Type` fetch derives from a
 * string, `URLSearchParams`, `Blob` or `FormData` body — and take the body's bytes once, so the
 * digest covers exactly what is sent and a retry can send it again.
 */
async function prepare(input: string | URL | Request, init: AAuthRequestInit | undefined): Promise<Prepared> {
  const { aauth: _aauth, ...rest } = init ?? {};
  if (!(input instanceof Request) && (rest.body === undefined || rest.body === null)) {
    // Fast path (no body to take): building a Request costs more than signing on small machines.
    const headers: Record<string, string> = {};
    new Headers(rest.headers).forEach((value, name) => {
      if (!SIGNATURE_HEADERS.includes(name)) headers[name] = value;
    });
    return { method: (rest.method ?? 'GET').toUpperCase(), url: new URL(input), headers, body: undefined };
  }
  const request = new Request(input, rest);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (!SIGNATURE_HEADERS.includes(name)) headers[name] = value;
  });
  const method = request.method.toUpperCase();
  let body: Uint8Array | undefined;
  if (!BODYLESS.has(method) && request.body !== null) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > 0) {
      body = bytes;
      // RFC 9530 binding needs a content type to sign; fetch sends none for raw bytes.
      headers[H.contentType] ??= 'application/octet-stream';
    }
  }
  return { method, url: new URL(request.url), headers, body };
}

export async function aauthFetch(client: ChallengeAnswerer, input: string | URL | Request, init?: AAuthRequestInit): Promise<Response> {
  const options = init?.aauth ?? {};
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
  const redirect = init?.redirect;
  const prepared = await prepare(input, init);
  if (options.disabled) return client.transport(prepared.url, { method: prepared.method, headers: prepared.headers, body: prepared.body, signal, redirect });
  const upstream = options.upstreamToken ?? client.upstreamToken;

  let resigned = false;
  const sendOnce = async (authToken: string | undefined, attempt: number): Promise<{ response: Response; headers: Record<string, string> }> => {
    const signatureKey = authToken === undefined ? await client.session.identity() : { scheme: 'jwt' as const, jwt: authToken };
    const headers = signOutgoing(prepared, client.session.key, signatureKey, client.signatureComponents(prepared.url));
    emit(client.onEvent, { type: 'request.signed', method: prepared.method, url: prepared.url.href, scheme: signatureKey.scheme, ...(authToken === undefined ? {} : { token: authToken }), attempt, headers });
    const response = await client.transport(prepared.url, { method: prepared.method, headers, body: prepared.body, signal, redirect });
    emit(client.onEvent, { type: 'response', method: prepared.method, url: prepared.url.href, status: response.status, attempt });
    return { response, headers };
  };
  const send = async (authToken: string | undefined, attempt: number): Promise<Response> => {
    const { response, headers } = await sendOnce(authToken, attempt);
    // Only a 401 can name components to add; the signed components are read from the headers then.
    if (resigned || options.noRetry || response.status !== UNAUTHORIZED) return response;
    const required = await refusedFor(response, coveredBy(headers));
    if (required === undefined) return response;
    resigned = true;
    client.learnComponents(prepared.url, required);
    await response.body?.cancel();
    emit(client.onEvent, { type: 'resign', method: prepared.method, url: prepared.url.href, components: required });
    return (await sendOnce(authToken, attempt)).response;
  };

  const settle = (response: Response): Promise<Response> | Response => (isDeferral(response.status, response.headers.get(H.location), options)
    ? client.awaitDeferred(prepared.url, response, { signal, timeoutMs: options.pendingTimeoutMs })
    : response);

  let sentToken = await client.tokenFor(prepared.url, upstream, signal);
  let response = await send(sentToken, 1);
  // 2026-03 answers one challenge; the current profile up to two (a person token, then an auth
  // token). A token is never answered with itself: the same answer twice ends the loop.
  for (let answered = 0; answered < client.maxAnswers; answered++) {
    const challenge = response.headers.get(client.challengeHeader);
    if (response.status !== UNAUTHORIZED || challenge === null || options.noRetry) return settle(response);
    const next = await client.answerChallenge(prepared.url, challenge, { sentToken, upstreamToken: upstream, signal });
    if (next === undefined || next === sentToken) return response;
    await response.body?.cancel();
    emit(client.onEvent, { type: 'retry', method: prepared.method, url: prepared.url.href });
    sentToken = next;
    response = await send(next, answered + 2);
  }
  return settle(response);
}
