/**
 * Raw HTTP/1.1 requests over loopback with node:http, so that the request target (absolute-form,
 * dot-segments, percent-garbage), the method and every header reach the server exactly as
 * generated; `fetch` would normalise most of them away.
 */
import http from 'node:http';

export interface RawRequest {
  readonly method: string;
  /** The request target as sent: origin-form (`/a?b`), absolute-form (`http://h/a`) or `*`. */
  readonly target: string;
  /** A header given as an array is sent as that many header lines. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: Buffer;
}

export interface RawReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** No answer within this time is a failure (a hang is as bad as a 500). */
const ANSWER_WITHIN_MS = 10_000;

export function sendRaw(port: number, request: RawRequest): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = typeof value === 'string' ? value : [...value];
    if (request.body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(request.body.length);
    const req = http.request({
      host: '127.0.0.1', port, method: request.method, path: request.target, headers,
      // A fresh connection per request: one case's half-read body never leaks into the next.
      agent: false, timeout: ANSWER_WITHIN_MS,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${request.method} ${request.target} within ${ANSWER_WITHIN_MS} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

/**
 * A server may refuse an oversized body before reading it and close the connection while the
 * client is still writing; the client then sees EPIPE or ECONNRESET instead of the answer. The
 * suite tolerates that for oversized bodies only: a server-side failure still shows in the
 * servers' error logs and in the liveness check at the end.
 */
export function isWriteReset(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'EPIPE' || code === 'ECONNRESET';
}
