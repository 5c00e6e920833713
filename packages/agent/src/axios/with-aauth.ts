/**
 * AAuth for an axios instance: a request interceptor that serializes the body itself (JSON for
 * objects), sets `transformRequest` to identity, and signs those exact bytes, afresh on every send;
 * and a response interceptor that answers a `401` `AAuth: require=auth-token` challenge and replays
 * the request once through the instance (so every interceptor runs again). The replay is marked
 * (`config.aauth.retried`): a 401 on it reaches the caller, never a second exchange. A `202` with
 * `Location` from the resource (2026-03 §Deferred Responses) is polled by the client, as in the
 * fetch wrapper, and its final response becomes the axios response (or `AxiosError`, as
 * `validateStatus` decides) of the original request.
 * A `401 invalid_signature` naming `required_components` the signature lacks is replayed once,
 * signed over them (`config.aauth.resigned`), as the fetch wrapper does.
 *
 * Register it last: axios runs request interceptors in reverse order of registration, so
 * interceptors added after this one run before the signature is made.
 *
 * Protocol failures reach the caller as `AxiosError`s, so an axios application's own error handling
 * (`axios.isAxiosError`, `error.response`) keeps working: `code` is the AAuth error code, `cause`
 * the typed error of core, and `response` the 401 whose challenge could not be answered.
 */
import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { AAUTH_CURRENT, AAuthError } from '@aauth-ts/core';
import { AAuthClient, type AAuthClientOptions } from '../client/aauth-client.js';
import { emit } from '../events.js';
import { isDeferral, type AAuthRequestOptions } from '../fetch/aauth-fetch.js';
import { H, SIGNATURE_HEADERS } from '../lib/header-names.js';
import { coveredBy, refusalList, signatureErrorList } from '../signing/required-components.js';
import { signOutgoing } from '../signing/sign-outgoing.js';
import { JSON_MEDIA_TYPE } from '../lib/media-type.js';
import { loopbackLookup } from '../transport/loopback-request.js';
import { needsLoopbackMapping } from '../transport/transport.js';

/** Per-request AAuth options on the axios config (`config.aauth`). */
export interface AAuthAxiosOptions extends AAuthRequestOptions {
  /** Set on the replay after a challenge; a 401 on a retried request goes to the caller (unless the profile answers more, see `answered`). */
  readonly retried?: boolean;
  /** How many challenges this request's replays have answered (the current profile answers up to two: person token, then auth token). */
  readonly answered?: number;
  /** Set on the replay signed over a refusal's `required_components`; never re-signed again. */
  readonly resigned?: boolean;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** AAuth per-request options (see `withAAuth`). */
    aauth?: AAuthAxiosOptions;
  }
}

const STATE = Symbol('aauth.request');

interface RequestState {
  readonly url: URL;
  readonly sentToken: string | undefined;
  readonly upstream: string | undefined;
  /** The auth token a replay must carry (the one the challenge was answered with). */
  readonly forcedToken?: string;
  /** The components the sent signature covered. */
  readonly covered: readonly string[];
}

type WithState = InternalAxiosRequestConfig & { [STATE]?: RequestState };

export interface AAuthAttachment {
  readonly client: AAuthClient;
  /** Remove both interceptors. */
  detach(): void;
}

export type WithAAuthOptions = AAuthClientOptions | { readonly client: AAuthClient };

function isPlainData(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The exact bytes to send and the content type they need; the interceptor owns serialization. */
function serializeBody(data: unknown): { bytes: Uint8Array; contentType: string } | undefined {
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'string') return { bytes: new TextEncoder().encode(data), contentType: 'text/plain;charset=utf-8' };
  if (data instanceof Uint8Array) return { bytes: data, contentType: 'application/octet-stream' };
  if (ArrayBuffer.isView(data)) return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), contentType: 'application/octet-stream' };
  if (data instanceof ArrayBuffer) return { bytes: new Uint8Array(data), contentType: 'application/octet-stream' };
  if (data instanceof URLSearchParams) return { bytes: new TextEncoder().encode(data.toString()), contentType: 'application/x-www-form-urlencoded;charset=utf-8' };
  if (isPlainData(data)) return { bytes: new TextEncoder().encode(JSON.stringify(data)), contentType: JSON_MEDIA_TYPE };
  throw new TypeError('withAAuth: the request body must be a plain object, array, string, URLSearchParams or bytes (streams and FormData cannot be digested before sending; serialize them first)');
}

const identity = <T>(data: T): T => data;

function abortSignalOf(config: InternalAxiosRequestConfig): AbortSignal | undefined {
  return config.signal instanceof AbortSignal ? config.signal : undefined;
}

/** A 202 as axios received it, as the `Response` the client's poller reads. */
function toFetchResponse(response: AxiosResponse): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers as Record<string, unknown>)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const data: unknown = response.data;
  const body = data === undefined || data === null ? null : typeof data === 'string' ? data : Buffer.isBuffer(data) ? new Uint8Array(data) : JSON.stringify(data);
  return new Response(body, { status: response.status, headers });
}

/** The final response as axios would have given it for `config`: body per `responseType`, settled by `validateStatus`. */
async function toAxiosResponse(final: Response, config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  const headers: Record<string, string> = {};
  final.headers.forEach((value, name) => { headers[name] = value; });
  let data: unknown;
  if (config.responseType === 'arraybuffer') data = Buffer.from(await final.arrayBuffer());
  else {
    const text = await final.text();
    data = text;
    if ((config.responseType === undefined || config.responseType === 'json') && text !== '') {
      try {
        data = JSON.parse(text) as unknown;
      } catch {
        data = text;
      }
    }
  }
  const response: AxiosResponse = { data, status: final.status, statusText: final.statusText, headers, config, request: undefined };
  if (typeof config.validateStatus === 'function' && !config.validateStatus(final.status)) {
    const { AxiosError: AxiosErrorClass } = await import('axios');
    const code = final.status >= 500 ? AxiosErrorClass.ERR_BAD_RESPONSE : AxiosErrorClass.ERR_BAD_REQUEST;
    throw new AxiosErrorClass(`Request failed with status code ${final.status}`, code, config, undefined, response);
  }
  return response;
}

/**
 * The AAuth error as an `AxiosError` of the caller's axios. axios is loaded only here, when an error
 * has to be built: the package needs axios's types, not axios itself, unless `withAAuth` is used.
 */
async function asAxiosError(error: unknown, config: InternalAxiosRequestConfig, response?: AxiosResponse): Promise<unknown> {
  if (!(error instanceof AAuthError)) return error;
  const { AxiosError: AxiosErrorClass } = await import('axios');
  const wrapped: AxiosError = new AxiosErrorClass(error.message, error.code, config, response?.request, response);
  wrapped.cause = error;
  return wrapped;
}

const SIGNATURE_ERROR = AAUTH_CURRENT.headers.signatureError.toLowerCase();

function answeredOf(aauth: AAuthAxiosOptions): number {
  return aauth.answered ?? (aauth.retried === true ? 1 : 0);
}

export function withAAuth(instance: AxiosInstance, options: WithAAuthOptions): AAuthAttachment {
  const client = 'client' in options ? options.client : new AAuthClient(options);

  const signRequest = async (config: InternalAxiosRequestConfig): Promise<InternalAxiosRequestConfig> => {
    const aauth = config.aauth ?? {};
    if (aauth.disabled) return config;
    const url = new URL(instance.getUri(config));
    // From here on the URL is final: params are in it, so the signed @query is what is sent.
    config.url = url.href;
    config.baseURL = undefined;
    config.params = {};
    const method = (config.method ?? 'get').toUpperCase();
    const body = serializeBody(config.data);
    const headers: Record<string, string> = {};
    if (body) {
      config.data = Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
      config.transformRequest = [identity];
      const declared: unknown = config.headers.getContentType();
      headers[H.contentType] = typeof declared === 'string' && declared !== '' ? declared : body.contentType;
    }
    const previous = (config as WithState)[STATE];
    const upstream = aauth.upstreamToken ?? client.upstreamToken;
    const signal = abortSignalOf(config);
    const token = previous?.forcedToken ?? (await client.tokenFor(url, upstream, signal));
    const signatureKey = token === undefined ? await client.session.identity() : { scheme: 'jwt' as const, jwt: token };
    const signed = signOutgoing({ method, url, headers, body: body?.bytes }, client.session.key, signatureKey, client.signatureComponents(url));
    for (const name of SIGNATURE_HEADERS) config.headers.delete(name);
    for (const [name, value] of Object.entries(signed)) config.headers.set(name, value);
    if (needsLoopbackMapping(url, client.development)) config.lookup = loopbackLookup as unknown as InternalAxiosRequestConfig['lookup'];
    (config as WithState)[STATE] = { url, sentToken: token, upstream, ...(previous?.forcedToken === undefined ? {} : { forcedToken: previous.forcedToken }), covered: coveredBy(signed) };
    const attempt = answeredOf(aauth) + 1;
    emit(client.onEvent, { type: 'request.signed', method, url: url.href, scheme: signatureKey.scheme, ...(token === undefined ? {} : { token }), attempt, headers: signed });
    return config;
  };

  /** A replayed response for a 401 we can answer, else undefined (the caller gets the original). */
  const answer = async (response: AxiosResponse): Promise<AxiosResponse | undefined> => {
    const config = response.config as WithState | undefined;
    const state = config?.[STATE];
    if (!config || !state) return undefined;
    const aauth = config.aauth ?? {};
    emit(client.onEvent, { type: 'response', method: (config.method ?? 'get').toUpperCase(), url: state.url.href, status: response.status, attempt: answeredOf(aauth) + 1 });
    if (!aauth.disabled && isDeferral(response.status, response.headers[H.location] as string | undefined, aauth)) {
      const final = await client.awaitDeferred(state.url, toFetchResponse(response), { signal: abortSignalOf(config), timeoutMs: aauth.pendingTimeoutMs });
      return toAxiosResponse(final, config);
    }
    if (response.status !== 401 || aauth.noRetry || aauth.disabled) return undefined;
    const refusal = response.headers[SIGNATURE_ERROR] as unknown;
    const required = aauth.resigned ? undefined : typeof refusal === 'string' ? signatureErrorList(refusal, state.covered) : refusalList(response.data, state.covered);
    if (required !== undefined) {
      client.learnComponents(state.url, required);
      emit(client.onEvent, { type: 'resign', method: (config.method ?? 'get').toUpperCase(), url: state.url.href, components: required });
      return instance.request({ ...config, aauth: { ...aauth, resigned: true } } as WithState);
    }
    const answered = answeredOf(aauth);
    if (answered >= client.maxAnswers) return undefined;
    const challenge = response.headers[client.challengeHeader] as unknown;
    if (typeof challenge !== 'string') return undefined;
    let token: string | undefined;
    try {
      token = await client.answerChallenge(state.url, challenge, { sentToken: state.sentToken, upstreamToken: state.upstream, signal: abortSignalOf(config) });
    } catch (error) {
      throw await asAxiosError(error, config, response);
    }
    if (token === undefined || token === state.sentToken) return undefined;
    emit(client.onEvent, { type: 'retry', method: (config.method ?? 'get').toUpperCase(), url: state.url.href });
    const replay: WithState = { ...config, aauth: { ...aauth, retried: true, answered: answered + 1 }, [STATE]: { ...state, forcedToken: token } };
    return instance.request(replay);
  };

  const onRequest = async (config: InternalAxiosRequestConfig): Promise<InternalAxiosRequestConfig> => {
    try {
      return await signRequest(config);
    } catch (error) {
      throw await asAxiosError(error, config);
    }
  };

  const requestId = instance.interceptors.request.use(onRequest);
  const responseId = instance.interceptors.response.use(
    async (response) => (await answer(response)) ?? response,
    async (error: unknown) => {
      const response = (error as { isAxiosError?: boolean; response?: AxiosResponse }).isAxiosError === true ? (error as { response?: AxiosResponse }).response : undefined;
      if (response) {
        const replayed = await answer(response);
        if (replayed) return replayed;
      }
      throw error;
    },
  );
  return {
    client,
    detach(): void {
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
    },
  };
}

/** Alias of `withAAuth` (the name used in the design notes). */
export const attachAAuth = withAAuth;
