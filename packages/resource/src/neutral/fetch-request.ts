/**
 * Fetch API `Request` (undici, workers, Deno-style handlers) → the framework-neutral
 * `SignableRequest`. The body is read from a clone, so the handler can still read the original.
 */
import { AAuthError, type SignableRequest } from '@aauth-ts/core';

export async function fromFetchRequest(request: Request, maxBytes = 1024 * 1024): Promise<SignableRequest> {
  let body: Uint8Array | undefined;
  if (request.body !== null) {
    const bytes = new Uint8Array(await request.clone().arrayBuffer());
    if (bytes.length > maxBytes) throw new AAuthError('invalid_request', `the request body exceeds ${maxBytes} bytes`, { field: 'body', reason: 'too_large' }, { status: 413 });
    if (bytes.length > 0) body = bytes;
  }
  return { method: request.method, url: request.url, headers: request.headers, ...(body === undefined ? {} : { body }) };
}
