/**
 * The last express handler: every failure leaves as `{error, error_description}` in the profile's
 * vocabulary with the error's own status and headers. Body-parser failures (too large, bad
 * encoding) are `invalid_request` with their 4xx status. Only an unexpected exception becomes a
 * logged `500 server_error`; bad input never gets that far. A failed remote fetch is answered with
 * a fixed sentence and its diagnostic is a `warn` line on the server's logger (contract "Remote fetches").
 */
import type { ErrorRequestHandler } from 'express';
import { fetchDiagnostic, isAAuthError, type AAuthLogger } from '@aauth-ts/core';
import type { EndpointResponse } from '../token/response.js';
import { LOG_COMPONENT } from './decision-route.js';

interface HttpishError { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown }

/** The answer to a failed request, logged as the module comment says. */
export function errorAnswer(err: unknown, log: (message: string, err: unknown) => void, logger: AAuthLogger): EndpointResponse {
  const headers = { 'Cache-Control': 'no-store' };
  if (isAAuthError(err)) {
    const diagnostic = fetchDiagnostic(err);
    if (diagnostic !== undefined) logger.warn({ component: LOG_COMPONENT, error: err.code, diagnostic }, 'remote fetch failed');
    return { status: err.status, headers: { ...headers, ...err.headers }, body: err.toJSON() };
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpishError;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, headers, body: { error: 'invalid_request', error_description: typeof e.message === 'string' ? e.message : 'the request could not be read' } };
  }
  log('unexpected error', err);
  return { status: 500, headers, body: { error: 'server_error', error_description: 'internal error' } };
}

export function errorHandler(log: (message: string, err: unknown) => void, logger: AAuthLogger): ErrorRequestHandler {
  return function aauthServerErrorHandler(err: unknown, _req, res, _next) {
    if (res.headersSent) return;
    const out = errorAnswer(err, log, logger);
    res.status(out.status).set(out.headers).json(out.body);
  };
}
