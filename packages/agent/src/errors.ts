/** Errors of the calling side that core's classes do not cover. Server-sent errors are core `ResponseError`s. */
import { AAuthError } from '@aauth-ts/core';

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
