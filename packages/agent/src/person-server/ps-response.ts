/**
 * Responses of a Person Server endpoint in the current profile (draft-hardt-oauth-aauth-protocol
 * §Person Token Endpoint, §PS Response, §Mission Approval, §Deferred Responses, §Error Response
 * Format): `200` with a JSON object, `202` with `Location` (and `AAuth-Requirement:
 * requirement=interaction; url=…; code=…` when the person must act), or an error as RFC 9457
 * `application/problem+json` with `error` and `detail`.
 */
import { AAUTH_CURRENT, parseRequirement, type IdentifierPolicy } from '@aauth-ts/core';
import { errorFrom, invalid, isJsonContentType, parseRetryAfter, readJson, type TokenResult } from '../token-endpoint/process-token-response.js';

export type Pending = Extract<TokenResult, { kind: 'pending' }>;

export type PsResult =
  | { readonly kind: 'done'; readonly body: Readonly<Record<string, unknown>> }
  | Pending;

export interface ProcessPsResponseOptions {
  /** Base for a relative `Location`. */
  readonly base?: string;
  /** When processing a poll: the pending URL itself (a 202 that repeats no `Location` stays there). */
  readonly pendingUrl?: string;
  /** Development: an `http` loopback interaction `url` is accepted. */
  readonly identifiers?: IdentifierPolicy;
}

const H = AAUTH_CURRENT.headers;

export async function processPsResponse(response: Response, options: ProcessPsResponseOptions = {}): Promise<PsResult> {
  const { json, text } = await readJson(response);
  if (response.status !== 200 && response.status !== 202) throw errorFrom(response, json, text);
  if (response.status === 200) {
    if (!isJsonContentType(response)) throw invalid(`response content type is ${JSON.stringify(response.headers.get(H.contentType))}, not JSON`);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('response is not a JSON object', text.slice(0, 200));
    return { kind: 'done', body: json as Record<string, unknown> };
  }
  const locationHeader = response.headers.get(H.location) ?? options.pendingUrl ?? null;
  if (locationHeader === null) throw invalid(`202 without a ${H.location} header`);
  let location: string;
  try {
    location = new URL(locationHeader, response.url || options.base).href;
  } catch {
    throw invalid(`202 ${H.location} ${JSON.stringify(locationHeader)} is not a URL`);
  }
  const body = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  const status = body[AAUTH_CURRENT.deferred.status];
  const header = response.headers.get(H.requirement);
  const requirement = header === null ? undefined : parseRequirement(header, options.identifiers);
  return {
    kind: 'pending',
    location,
    retryAfter: parseRetryAfter(response.headers.get(H.retryAfter)),
    // §Pending Response: unrecognised status values mean pending.
    status: typeof status === 'string' ? status : undefined,
    require: requirement?.requirement,
    code: requirement?.requirement === 'interaction' ? requirement.code : undefined,
    ...(requirement?.requirement === 'interaction' ? { url: requirement.url } : {}),
    ...(requirement?.requirement === 'auth-token' ? { resourceToken: requirement.resourceToken } : {}),
  };
}

/** A string member of a `200` body, or a `MalformedError` naming it. */
export function stringMember(body: Readonly<Record<string, unknown>>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0) throw invalid(`response has no "${name}" string`);
  return value;
}

/** `expires_in`, when present, a non-negative number. */
export function expiresInMember(body: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(`"${name}" must be a non-negative number`);
  return value;
}
