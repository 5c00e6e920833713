/**
 * The token endpoint (and pending URL), response side (2026-03 §Token Endpoint, §Deferred
 * Responses, §Error Responses). Checks, in order: status; for an error status the JSON error body
 * (→ `ResponseError` with the server's code and description); content type; JSON object; member
 * types. Only then does it return a typed result.
 *
 * Does not verify the auth token itself (signature, `aud`, `cnf`): the client does that with the
 * auth server's keys, see `AAuthClient`.
 */
import { MalformedError, PROFILE, ResponseError, parseChallenge } from '@aauth-ts/core';
import { JSON_MEDIA_TYPE } from '../lib/media-type.js';
import { RESPONSE_MEMBERS as M } from './members.js';

export type TokenResult =
  | { readonly kind: 'token'; readonly authToken: string; readonly expiresIn: number | undefined }
  | {
    readonly kind: 'pending';
    /** Absolute URL to poll. */
    readonly location: string;
    /** Seconds to wait before polling (`Retry-After`; 5 when absent, as later drafts specify). */
    readonly retryAfter: number;
    /** `pending`, `interacting`, … (unknown values mean pending). */
    readonly status: string | undefined;
    /** `interaction` or `approval` (from the `AAuth` header or the body). */
    readonly require: string | undefined;
    /** Interaction code for `{interaction_endpoint}?code=…`. */
    readonly code: string | undefined;
    /** Current profile: the interaction `url` the `AAuth-Requirement` header names (instead of metadata's `interaction_endpoint`). */
    readonly url?: string;
    /** Current profile: the resource token of a deferred `requirement=auth-token` (§Deferred Delivery). */
    readonly resourceToken?: string;
  };

/** Largest token-endpoint body read, bytes: a token response is small; a huge one is an attack. */
const MAX_BODY = 64 * 1024;
export const DEFAULT_RETRY_AFTER = 5;

export function invalid(message: string, raw?: string): MalformedError {
  return new MalformedError('server_error', message, raw, { reason: 'invalid_response' });
}

export async function readJson(response: Response): Promise<{ json: unknown; text: string }> {
  const buffer = new Uint8Array(await response.arrayBuffer());
  if (buffer.byteLength > MAX_BODY) throw invalid(`token endpoint response is larger than ${MAX_BODY} bytes`);
  const text = new TextDecoder().decode(buffer);
  try {
    return { json: JSON.parse(text) as unknown, text };
  } catch {
    return { json: undefined, text };
  }
}

export function isJsonContentType(response: Response): boolean {
  const type = response.headers.get(PROFILE.headers.contentType) ?? '';
  const essence = type.split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === JSON_MEDIA_TYPE || essence.endsWith('+json');
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; a bad value falls back to the default. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number {
  if (value === null) return DEFAULT_RETRY_AFTER;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), 3600);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return DEFAULT_RETRY_AFTER;
  return Math.min(Math.max(0, Math.ceil((date - now) / 1000)), 3600);
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`"${name}" must be a string`);
  return value;
}

export function errorFrom(response: Response, json: unknown, text: string): ResponseError {
  if (typeof json === 'object' && json !== null && typeof (json as Record<string, unknown>)[M.error] === 'string') {
    const body = json as Record<string, unknown>;
    // `error_description` (2026-03), or RFC 9457 `detail` (current profile, §Error Response Format).
    const said = body[M.errorDescription] ?? body[M.detail];
    const description = typeof said === 'string' ? said : `HTTP ${response.status}`;
    return new ResponseError(body[M.error] as string, description, response.status);
  }
  return new ResponseError('invalid_response', `HTTP ${response.status} without a JSON error body${text ? `: ${text.slice(0, 200)}` : ''}`, response.status);
}

export interface ProcessTokenResponseOptions {
  /** Base for a relative `Location` when the response carries no URL of its own. */
  readonly base?: string;
  /**
   * When processing a poll: the pending URL itself. §Deferred Responses has every 202 repeat
   * `Location`; one that does not is read liberally: the request stays where it is.
   */
  readonly pendingUrl?: string;
}

export async function processTokenResponse(response: Response, options: ProcessTokenResponseOptions = {}): Promise<TokenResult> {
  if (!(response instanceof Response)) throw new TypeError('processTokenResponse: expected a fetch Response');
  const { json, text } = await readJson(response);
  if (response.status !== 200 && response.status !== 202) throw errorFrom(response, json, text);

  if (response.status === 200) {
    if (!isJsonContentType(response)) throw invalid(`token response content type is ${JSON.stringify(response.headers.get(PROFILE.headers.contentType))}, not JSON`);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('token response is not a JSON object', text.slice(0, 200));
    const body = json as Record<string, unknown>;
    const authToken = body[M.authToken];
    if (typeof authToken !== 'string' || authToken.length === 0) throw invalid(`token response has no "${M.authToken}" string`);
    const expiresIn = body[M.expiresIn];
    if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0)) throw invalid(`"${M.expiresIn}" must be a non-negative number`);
    return { kind: 'token', authToken, expiresIn: expiresIn as number | undefined };
  }

  // 202: Location is required on the token endpoint's answer (a poll may omit it); the body and
  // the AAuth header are informative.
  const locationHeader = response.headers.get(PROFILE.headers.location) ?? options.pendingUrl ?? null;
  const base = response.url || options.base;
  if (locationHeader === null) throw invalid(`202 without a ${PROFILE.headers.location} header`);
  let location: string;
  try {
    location = new URL(locationHeader, base).href;
  } catch {
    throw invalid(`202 ${PROFILE.headers.location} ${JSON.stringify(locationHeader)} is not a URL`);
  }
  const body = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  let require = optionalString(body, M.require);
  let code = optionalString(body, M.code);
  const challengeHeader = response.headers.get(PROFILE.headers.challenge);
  if (challengeHeader !== null) {
    const challenge = parseChallenge(challengeHeader);
    require = challenge.require;
    if (challenge.require === 'interaction') code = challenge.code;
  }
  return {
    kind: 'pending',
    location,
    retryAfter: parseRetryAfter(response.headers.get(PROFILE.headers.retryAfter)),
    status: optionalString(body, M.status),
    require,
    code,
  };
}
