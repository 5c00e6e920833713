/**
 * Small HTTP helpers shared by the example services: listen on a port and resolve once bound,
 * close with open keep-alive connections, and the JSON error answers for example-level errors.
 */
import type { Server } from 'node:http';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { PROFILE } from '@aauth-ts/core';

export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The port a server is bound to (after `listen(0)`). */
export function boundPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new TypeError('server is not listening on a TCP port');
  return address.port;
}

/** Errors of the example code itself (bad plan or analysis input) that are the caller's fault. */
export interface ClientError extends Error {
  readonly code: string;
}

/** JSON `{error, error_description}` 400 for input errors, using the profile's `invalid_request`. */
export function inputErrorHandler(isInputError: (err: unknown) => err is ClientError): ErrorRequestHandler {
  return function inputError(err, _req, res, next) {
    if (res.headersSent || !isInputError(err)) {
      next(err);
      return;
    }
    res.status(400).set(PROFILE.headers.cacheControl, 'no-store').json({ error: 'invalid_request', error_description: err.message });
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'invalid_request', error_description: `no route for ${req.method} ${req.path}` });
};

/** Parse the raw JSON body `aauth()` kept (`req.rawBody`); a bad body is a typed input error. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  readonly code = 'invalid_request';
}

export function jsonBody(raw: Buffer | undefined): unknown {
  if (raw === undefined || raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new BodyError('the request body is not valid JSON');
  }
}
