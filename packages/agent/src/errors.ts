/** Errors of the calling side that core's classes do not cover. Server-sent errors are core `ResponseError`s. */
import { AAuthError, ResponseError } from '@aauth-ts/core';

/**
 * A pending token request (202) was not decided within the client's `pendingTimeoutMs`. Code
 * `expired`, as if the auth server had expired it (2026-03 §Deferred Responses, 408).
 */
export class PendingTimeoutError extends AAuthError {
  override readonly name = 'PendingTimeoutError';
  readonly location: string;
  constructor(location: string, timeoutMs: number) {
    super('expired', `the pending token request at ${location} was not decided within ${timeoutMs} ms`, { reason: 'timeout', field: 'location' }, { status: 408 });
    this.location = location;
  }
}

/** §Polling Error Codes: the terminal errors of a pending URL, each with its own class below. */
export type PendingEnd = 'denied' | 'abandoned' | 'expired' | 'invalid_code';

/**
 * A pending request ended without a token (2026-03 §Polling Error Codes). A `ResponseError` with the
 * server's code, status and description, plus the pending URL it ended at. Do not poll it again.
 */
export class PendingEndedError extends ResponseError {
  override readonly name: string = 'PendingEndedError';
  readonly location: string;
  constructor(end: PendingEnd, description: string, status: number, location: string) {
    super(end, description, status);
    this.location = location;
  }
}

/** `403 denied`: the user (or approver) said no. */
export class PendingDeniedError extends PendingEndedError {
  override readonly name: string = 'PendingDeniedError';
}

/** `403 abandoned`: the user opened the interaction but never decided; a new request may ask again. */
export class PendingAbandonedError extends PendingEndedError {
  override readonly name: string = 'PendingAbandonedError';
}

/** `408 expired`: nobody opened the interaction before the request expired; a fresh request MAY follow. */
export class PendingExpiredError extends PendingEndedError {
  override readonly name: string = 'PendingExpiredError';
}

/** `410 invalid_code`: the interaction code was not recognised or was used twice; MUST NOT be retried. */
export class InvalidInteractionCodeError extends PendingEndedError {
  override readonly name: string = 'InvalidInteractionCodeError';
}

const PENDING_ENDS = {
  denied: PendingDeniedError,
  abandoned: PendingAbandonedError,
  expired: PendingExpiredError,
  invalid_code: InvalidInteractionCodeError,
} as const satisfies Record<PendingEnd, typeof PendingEndedError>;

/** The typed error for a poll's error answer; any other error is returned as it is. */
export function pendingEndedError(err: unknown, location: string): unknown {
  if (!(err instanceof ResponseError) || !Object.hasOwn(PENDING_ENDS, err.serverError)) return err;
  const end = err.serverError as PendingEnd;
  return new PENDING_ENDS[end](end, err.message, err.status, location);
}
