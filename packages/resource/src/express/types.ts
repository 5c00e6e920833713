/**
 * Express typing: `req.aauth` (set by `aauth()` on a signed request) and `req.rawBody` (the bytes
 * `Content-Digest` was checked against) are merged into `Express.Request`; `AAuthRequest` is the
 * request a handler behind `requireSignature()`/`requireIdentity()`/`requireAuth()` receives.
 */
import type { Request } from 'express';
import type { AAuthContext } from '../context.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- declaration merging is how express types `req`
  namespace Express {
    interface Request {
      /** The verified caller; absent on an unsigned request. */
      aauth?: AAuthContext;
      /** Raw request body bytes, when `aauth()` or `captureRawBody` kept them. */
      rawBody?: Buffer;
    }
  }
}

/** A request that passed a `require…()` middleware: `aauth` is always present. */
export type AAuthRequest = Request & { aauth: AAuthContext };
