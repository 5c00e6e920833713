/**
 * Express typing: `req.aauth` (set by `aauth()` on a signed request) and `req.rawBody` (the bytes
 * `Content-Digest` was checked against) are merged into `Express.Request`, `res.aauthDefer()` into
 * `Express.Response`; `AAuthRequest` is the
 * request a handler behind `requireSignature()`/`requireIdentity()`/`requireAuth()` receives.
 */
import type { Request } from 'express';
import type { AAuthContext } from '../context.js';
import type { DeferOptions, Deferral } from '../deferral-store.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- declaration merging is how express types `req`
  namespace Express {
    interface Request {
      /** The verified caller; absent on an unsigned request. */
      aauth?: AAuthContext;
      /** Raw request body bytes, when `aauth()` or `captureRawBody` kept them. */
      rawBody?: Buffer;
    }
    interface Response {
      /**
       * Set by `aauth()`: answer `202` now with a pending URL bound to the caller's key and return
       * the deferral to complete later (2026-03 §Deferred Responses). The request must be signed.
       */
      aauthDefer(options?: DeferOptions): Deferral;
    }
  }
}

/** A request that passed a `require…()` middleware: `aauth` is always present. */
export type AAuthRequest = Request & { aauth: AAuthContext };
