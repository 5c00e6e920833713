/**
 * The four-argument express error handler: an `AAuthError` leaves with its `status`, its headers
 * (the `AAuth` challenge on a 401) and `{error, error_description}` (2026-03 §Error Response
 * Format); in the current profile with its `AAuth-Requirement` or `Signature-Error` and an RFC 9457
 * problem (draft-hardt-oauth-aauth-protocol §Error Response Format). A 4xx from a body parser becomes `invalid_request`; anything else is a logged 500. A
 * failed remote fetch is answered with a fixed sentence; what the fetch found is a `warn` line on
 * the `logger` of the `aauth()` that handled the request (`console.warn` without one).
 */
import type { ErrorRequestHandler } from 'express';
import { AAuthError, consoleWarnLogger, fetchDiagnostic, isAAuthError } from '@aauth-ts/core';
import { AAuthResource } from '../resource.js';
import { profileOf, resourceOf } from './middleware.js';
import { sendAnswer } from './send-answer.js';

export interface ErrorHandlerOptions {
  /** Where unexpected errors (the 500s) are reported. Default `console.error`. */
  readonly log?: (err: unknown) => void;
}

/** An `http-errors` style client error (body-parser's 400/413/415), whose message may be shown. */
function fromClientHttpError(err: unknown): AAuthError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, expose, message } = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true || typeof message !== 'string') return undefined;
  return new AAuthError('invalid_request', message, { reason: 'malformed', cause: err }, { status });
}

export function aauthErrorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  const log = options.log ?? ((err: unknown) => console.error(err));
  return function aauthErrorHandler(err, req, res, next) {
    if (res.headersSent) {
      next(err);
      return;
    }
    const diagnostic = fetchDiagnostic(err);
    if (diagnostic !== undefined) (resourceOf(req)?.options.logger ?? consoleWarnLogger).warn({ component: 'resource', diagnostic }, 'remote fetch failed');
    let answer = isAAuthError(err) ? err : fromClientHttpError(err);
    if (answer === undefined) {
      log(err);
      answer = new AAuthError('server_error', 'the server could not handle this request');
    }
    sendAnswer(res, AAuthResource.errorAnswer(answer, profileOf(req)));
  };
}
