import type { HeadersLike } from '../lib/headers.js';

/** The parts of an HTTP request that RFC 9421 signs, independent of any framework. */
export interface SignableRequest {
  readonly method: string;
  /** Absolute URL as the server is addressed (its authority is `@authority`). */
  readonly url: string | URL;
  /**
   * The request target exactly as received (`req.url` of a server), when the verifier has it:
   * verification then refuses a target that `url` does not spell as sent (see `checkRequestTarget`).
   */
  readonly target?: string;
  readonly headers: HeadersLike;
  /** The exact body bytes sent, if any. */
  readonly body?: Uint8Array | string | undefined;
}
