/**
 * Typed errors with stable codes. Bad *input* (headers, tokens, bodies) raises an `AAuthError`
 * whose `code` is a wire error code of the profile and whose `status`/`headers` say how to answer
 * it over HTTP; API misuse by the caller raises a plain `TypeError`.
 */
import { PROFILE, statusOf, type AnyProfile, type WireErrorCode } from './profile/index.js';

export type { WireErrorCode } from './profile/index.js';

/** Structured detail for logs and tests; never needed to build the HTTP answer. */
export interface ErrorDetail {
  /** The claim, header, parameter or component concerned. */
  readonly field?: string;
  /** Machine-readable reason, e.g. `missing`, `mismatch`, `expired`, `malformed`. */
  readonly reason?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly cause?: unknown;
}

export class AAuthError extends Error {
  override readonly name: string = 'AAuthError';
  readonly code: WireErrorCode;
  readonly status: number;
  /** Response headers that belong with this error (an `AAuth` challenge on a 401, say). */
  readonly headers: Record<string, string>;
  readonly detail: ErrorDetail;
  /** Extra members for the JSON error body, e.g. `required_components` (2026-03 §Error Responses). */
  readonly extras: Readonly<Record<string, unknown>>;

  constructor(code: WireErrorCode, message: string, detail: ErrorDetail = {}, options: { status?: number; headers?: Record<string, string>; extras?: Record<string, unknown> } = {}) {
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.code = code;
    this.status = options.status ?? statusOf(code);
    this.headers = options.headers ?? {};
    this.detail = detail;
    this.extras = options.extras ?? {};
  }

  /** The `{error, error_description}` body of the 2026-03 profile's error responses. */
  toJSON(): { error: WireErrorCode; error_description: string; [member: string]: unknown } {
    return { error: this.code, error_description: this.message, ...this.extras };
  }

  /** The same error with other response headers (a resource adds its `AAuth` challenge, say). */
  withHeaders(headers: Record<string, string>): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(copy, this, { headers: { ...this.headers, ...headers } });
    return copy;
  }
}

/** A request signature, its covered components, or a Signature-Key header is unacceptable. */
export class SignatureError extends AAuthError {
  override readonly name = 'SignatureError';
}

/** An agent, resource or auth token failed a structural, cryptographic or claim check. */
export class TokenError extends AAuthError {
  override readonly name = 'TokenError';
}

/** A header or body did not parse (AAuth challenge, Signature-Key, Content-Digest, JSON). */
export class MalformedError extends AAuthError {
  override readonly name: string = 'MalformedError';
  /** The raw value that failed to parse, for diagnostics. */
  readonly raw: string | undefined;
  constructor(code: WireErrorCode, message: string, raw?: string, detail: ErrorDetail = {}) {
    super(code, message, detail);
    this.raw = raw;
  }
}

/** A challenge carried a `require` value this profile does not define. */
export class UnsupportedRequirementError extends MalformedError {
  override readonly name = 'UnsupportedRequirementError';
}

/**
 * What a caller is told when a remote document could not be obtained: one fixed sentence per
 * failure family. The URL fetched came from the caller, so anything more (resolved addresses, DNS
 * and socket errors, the target's status, sizes, timings) would turn the server into a DNS and port
 * scanner for whoever asks; that detail stays in `FetchError.diagnostic`, for the server's log.
 */
const FETCH_SENTENCES: Readonly<Record<FetchFailure | 'unknown_key', string>> = {
  scheme_not_allowed: 'metadata URLs must be https',
  address_not_allowed: 'metadata could not be fetched',
  busy: 'metadata could not be fetched',
  timeout: 'metadata could not be fetched',
  too_large: 'metadata could not be fetched',
  http_status: 'metadata could not be fetched',
  not_json: 'metadata could not be fetched',
  network: 'metadata could not be fetched',
  invalid_document: 'the metadata is not a valid document',
  unknown_key: 'no published key matches',
};

/** A remote metadata or JWKS document could not be obtained safely. */
export class FetchError extends AAuthError {
  override readonly name = 'FetchError';
  /** Why: `address_not_allowed`, `timeout`, `too_large`, `http_status`, `not_json`, `network`, `scheme_not_allowed`, … */
  readonly reason: FetchFailure;
  /** What the fetch found, for the server's log only; `message` is the fixed sentence a caller may see. */
  readonly diagnostic: string;
  constructor(reason: FetchFailure, diagnostic: string, detail: ErrorDetail = {}, code: WireErrorCode = 'invalid_request') {
    // A more specific reason from the caller (e.g. `unknown_key`) is kept in `detail`; `reason` is the family.
    super(code, FETCH_SENTENCES[detail.reason === 'unknown_key' ? 'unknown_key' : reason], { reason, ...detail });
    this.reason = reason;
    this.diagnostic = diagnostic;
  }
}
export type FetchFailure = 'address_not_allowed' | 'scheme_not_allowed' | 'busy' | 'timeout' | 'too_large' | 'http_status' | 'not_json' | 'network' | 'invalid_document';

/** The sentence a caller is told when a signing key could not be discovered (same for every server). */
export function keyUnavailableMessage(cause: unknown): string {
  return `the signing key could not be obtained: ${cause instanceof FetchError ? cause.message : 'key discovery failed'}`;
}

/** The diagnostic of the first `FetchError` in an error's cause chain: what a server logs. */
export function fetchDiagnostic(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 8; depth++) {
    if (e instanceof FetchError) return e.diagnostic;
    e = e instanceof AAuthError ? e.detail.cause : undefined;
  }
  return undefined;
}

/** The peer answered with an error body (token endpoint, pending URL, resource). */
export class ResponseError extends AAuthError {
  override readonly name: string = 'ResponseError';
  /** The `error` string as the server sent it, even if it is not in our vocabulary. */
  readonly serverError: string;
  /** `profile`: whose vocabulary `serverError` is read in (a code outside it becomes `server_error`). */
  constructor(serverError: string, description: string, status: number, profile: AnyProfile = PROFILE) {
    const known = serverError in profile.errors ? (serverError as WireErrorCode) : 'server_error';
    super(known, description, { actual: serverError }, { status });
    this.serverError = serverError;
  }
}

export type AnyAAuthError = SignatureError | TokenError | MalformedError | UnsupportedRequirementError | FetchError | ResponseError;

export function isAAuthError(value: unknown): value is AAuthError {
  return value instanceof AAuthError;
}
