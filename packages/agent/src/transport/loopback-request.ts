/**
 * An HTTP request to a `*.localhost` name, connected to 127.0.0.1 (RFC 6761 §6.3: such names are
 * always loopback, but the system resolver here does not know them). The `Host` header — and so
 * the `@authority` the request was signed over — keeps the name. Used in development mode only;
 * global `fetch` cannot do this because it does not let a caller set `Host`.
 */
import http from 'node:http';
import type { LookupFunction } from 'node:net';
import { abortReason } from '../lib/abort.js';
import type { TransportRequest } from './transport-request.js';

const toLoopback: LookupFunction = (_hostname, options, callback) => {
  const done = callback as (err: Error | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
  if ((options as { all?: boolean }).all) done(null, [{ address: '127.0.0.1', family: 4 }]);
  else done(null, '127.0.0.1', 4);
};

/** The lookup used for `*.localhost` names (axios passes it to node:http as `lookup`). */
export const loopbackLookup: LookupFunction = toLoopback;

/**
 * One pool of kept-alive connections for every `*.localhost` request: a chained call makes several
 * requests to the same few loopback servers, and a new TCP connection each time is a handshake and
 * a socket in TIME_WAIT per request. Bounded per server; an idle socket is closed after 2 s
 * (under Node's default server keep-alive of 5 s, so the client closes first and never reuses a
 * socket the server is closing), and an idle socket never keeps the process alive (node:http
 * unrefs pooled sockets).
 */
const keptAlive = new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 64, maxFreeSockets: 16, timeout: 2000 });

/** Statuses whose responses have no body (RFC 9110 §6.4.1); `Response` refuses one for them. */
const NULL_BODY = new Set([101, 204, 205, 304]);

export function loopbackRequest(url: URL, request: TransportRequest): Promise<Response> {
  if (url.protocol !== 'http:') return Promise.reject(new TypeError(`loopbackRequest: only http:// is mapped to loopback, not ${url.protocol}`));
  const signal = request.signal;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<Response>((resolve, reject) => {
    const req = http.request(url, { method: request.method, headers: request.headers, lookup: toLoopback, agent: keptAlive });
    const onAbort = (): void => {
      req.destroy();
      reject(abortReason(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TypeError(`request to ${url.href} failed: ${err.message}`, { cause: err }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => reject(err));
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
        }
        const status = res.statusCode ?? 502;
        const body = NULL_BODY.has(status) ? null : Buffer.concat(chunks);
        const response = new Response(body, { status, statusText: res.statusMessage ?? '', headers });
        Object.defineProperty(response, 'url', { value: url.href });
        resolve(response);
      });
    });
    req.end(request.body === undefined ? undefined : Buffer.from(request.body));
  });
}
