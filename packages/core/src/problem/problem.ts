/**
 * Error bodies of the current profile (draft-hardt-oauth-aauth-protocol §Error Response Format):
 * RFC 9457 problem details, `Content-Type: application/problem+json`, with the AAuth code in the
 * extension member `error` (receivers decide on it, never on `type`) and the sentence in `detail`.
 */
import { AAuthError, MalformedError, type WireErrorCode } from '../errors.js';
import { AAUTH_CURRENT, type TerminationReason } from '../profile/index.js';

const P = AAUTH_CURRENT.problem;

export interface ProblemDetails {
  error: string;
  detail?: string;
  type?: string;
  title?: string;
  status?: number;
  instance?: string;
  [member: string]: unknown;
}

/** An HTTP answer: status, headers (Content-Type included) and the JSON body. */
export interface ProblemResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemDetails;
}

export function problemBody(error: string, detail?: string, extras: Readonly<Record<string, unknown>> = {}): ProblemDetails {
  return { ...extras, [P.error]: error, ...(detail === undefined ? {} : { [P.detail]: detail }) };
}

/**
 * The answer for an error of the current profile: its status (the profile's for its code unless
 * the error says otherwise), its headers, and `{error, detail, ...extras}`. A `403` never carries
 * `Signature-Error` or `Accept-Signature-*` (§Verification (Server), last paragraph).
 */
export function problemResponse(err: AAuthError): ProblemResponse {
  const code: string = err instanceof SignatureRejection ? err.signatureError : err.code;
  const headers: Record<string, string> = { ...err.headers, [AAUTH_CURRENT.headers.contentType]: AAUTH_CURRENT.problemContentType };
  if (err.status === 403) {
    for (const name of [AAUTH_CURRENT.headers.signatureError, AAUTH_CURRENT.headers.acceptSignatureScheme, AAUTH_CURRENT.headers.acceptSignatureAlg]) delete headers[name];
  }
  return { status: err.status, headers, body: problemBody(code, err.message, err.extras) };
}

/** The answer for a code with a sentence, at the profile's status for that code. */
export function problemFor(code: keyof typeof AAUTH_CURRENT.errors, detail: string, extras: Readonly<Record<string, unknown>> = {}): ProblemResponse {
  return problemResponse(new AAuthError(code, detail, {}, { status: AAUTH_CURRENT.errors[code], extras }));
}

/** §Mission Status Errors: `403 mission_terminated`, `mission_status: terminated`, the reason if known. */
export function missionTerminatedProblem(reason?: TerminationReason | string, detail = 'the mission is terminated'): ProblemResponse {
  return problemFor('mission_terminated', detail, { [P.missionStatus]: AAUTH_CURRENT.missionStates[1], ...(reason === undefined ? {} : { [P.terminationReason]: reason }) });
}

/** Read a problem body received from a peer: a JSON object whose `error` is a non-empty string. */
export function parseProblem(json: unknown): ProblemDetails {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new MalformedError('invalid_request', 'the error body is not a JSON object', undefined, { reason: 'malformed' });
  const body = json as Record<string, unknown>;
  if (typeof body[P.error] !== 'string' || (body[P.error] as string).length === 0) throw new MalformedError('invalid_request', 'the error body has no "error" string', undefined, { field: P.error, reason: 'missing' });
  if (body[P.detail] !== undefined && typeof body[P.detail] !== 'string') throw new MalformedError('invalid_request', 'the error body "detail" is not a string', undefined, { field: P.detail, reason: 'malformed' });
  return body as ProblemDetails;
}

/**
 * A refused request signature (§Verification (Server)): always `401`, the code in `Signature-Error`
 * (the header, not the body, is what agents act on), plus `Accept-Signature-Scheme` /
 * `Accept-Signature-Alg` / `required_input` where the refusal says what would succeed.
 */
export class SignatureRejection extends AAuthError {
  override readonly name = 'SignatureRejection';
  readonly signatureError: string;
  constructor(signatureError: string, message: string, headers: Record<string, string>, extras: Record<string, unknown>, code: WireErrorCode = 'invalid_signature') {
    super(code, message, { reason: signatureError }, { status: 401, headers, extras });
    this.signatureError = signatureError;
  }
}
