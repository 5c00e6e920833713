/**
 * Node `IncomingMessage` → the framework-neutral `SignableRequest` that core verifies. The body is
 * read as raw bytes (RFC 9530 digests the bytes as sent, never a re-serialisation), bounded.
 */
import type { IncomingMessage } from 'node:http';
import { AAuthError, type SignableRequest } from '@aauth-ts/core';

/** Does the request announce a body (RFC 9112 §6.3: `Content-Length` > 0 or `Transfer-Encoding`)? */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Read the raw body, at most `maxBytes`; a larger body is a `413`, an aborted one a `400`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.resume(); // discard the rest; the answer goes out without waiting for it
        reject(new AAuthError('invalid_request', `the request body exceeds ${maxBytes} bytes`, { field: 'body', reason: 'too_large' }, { status: 413 }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new AAuthError('invalid_request', `the request body could not be read: ${err.message}`, { field: 'body', reason: 'aborted', cause: err }));
    };
    const onClose = (): void => {
      if (req.readableEnded) return;
      cleanup();
      reject(new AAuthError('invalid_request', 'the request body ended early', { field: 'body', reason: 'aborted' }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export interface NodeRequestOptions {
  /** `http:` or `https:` as this resource is addressed (its identifier's scheme). */
  readonly protocol: string;
  /** The request target as sent (express: `req.originalUrl`); default `req.url`. */
  readonly target?: string;
  /** The raw body bytes, if the request has a body. */
  readonly body?: Uint8Array;
}

/**
 * The signable view of a Node request: method, absolute URL from `Host` + target, headers, body,
 * and the target as received (verification refuses one the URL does not spell as sent: a
 * dot-segment, an absolute-form target).
 */
export function fromNodeRequest(req: IncomingMessage, options: NodeRequestOptions): SignableRequest {
  const host = req.headers.host ?? '';
  const target = options.target ?? req.url ?? '/';
  let url: URL;
  try {
    url = new URL(`${options.protocol}//${host}${target.startsWith('/') ? target : `/${target}`}`);
  } catch (cause) {
    throw new AAuthError('invalid_signature', 'the request target and Host do not form a URL', { field: '@authority', reason: 'malformed', cause });
  }
  const request: { -readonly [K in keyof SignableRequest]: SignableRequest[K] } = { method: req.method ?? 'GET', url, target, headers: req.headers };
  if (options.body !== undefined) request.body = options.body;
  return request;
}
