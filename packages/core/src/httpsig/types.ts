import type { HeadersLike } from '../lib/headers.js';

/** The parts of an HTTP request that RFC 9421 signs, independent of any framework. */
export interface SignableRequest {
  readonly method: string;
  /** Absolute URL as the server is addressed (its authority is `@authority`). */
  readonly url: string | URL;
  readonly headers: HeadersLike;
  /** The exact body bytes sent, if any. */
  readonly body?: Uint8Array | string | undefined;
}
