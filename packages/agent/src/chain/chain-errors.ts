/**
 * Why an intermediary refuses something in an interaction chain (draft-hardt-oauth-aauth-protocol
 * §Interaction Chaining, §Deferred Responses, §Polling Error Codes). `reason` is the stable code a
 * program tests; `code` and `status` are what the caller or the user's browser receives.
 */
import { AAuthError, type WireErrorCode } from '@aauth-ts/core';

export type InteractionChainFailure =
  /** The request reached the chained route or a pending URL unsigned (the resource middleware set no `req.aauth`). */
  | 'unsigned'
  /** A pending URL polled with a signature by another key than the one that made the request. */
  | 'other_key'
  /** No such pending URL, callback or interaction code (never issued, or forgotten). */
  | 'unknown'
  /** The pending URL already gave its terminal answer, or the request was cancelled. */
  | 'gone'
  /** The chained request was not completed within its lifetime. */
  | 'expired'
  /** The interaction code is unknown, already used, or its request is no longer waiting for the user. */
  | 'invalid_code'
  /** The caller's `callback` is not an https URL (or, in development, a loopback http URL). */
  | 'callback_refused'
  /** Too many chained requests held in all. */
  | 'flows_full'
  /** Too many chained requests held for this caller's key. */
  | 'caller_full'
  /** The downstream asked for the person more often within one request than the intermediary hands on. */
  | 'too_many_interactions';

const WIRE: Readonly<Record<InteractionChainFailure, { code: WireErrorCode; status: number }>> = {
  unsigned: { code: 'invalid_signature', status: 401 },
  other_key: { code: 'access_denied', status: 403 },
  unknown: { code: 'invalid_request', status: 404 },
  gone: { code: 'invalid_request', status: 410 },
  expired: { code: 'expired', status: 408 },
  invalid_code: { code: 'invalid_code', status: 410 },
  callback_refused: { code: 'invalid_request', status: 400 },
  flows_full: { code: 'server_error', status: 503 },
  caller_full: { code: 'server_error', status: 503 },
  too_many_interactions: { code: 'server_error', status: 502 },
};

export class InteractionChainError extends AAuthError {
  override readonly name = 'InteractionChainError';
  readonly reason: InteractionChainFailure;

  constructor(reason: InteractionChainFailure, message: string) {
    const wire = WIRE[reason];
    super(wire.code, message, { reason }, { status: wire.status, ...(wire.status === 503 ? { headers: { 'Retry-After': '1' } } : {}) });
    this.reason = reason;
  }
}
