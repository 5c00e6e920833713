/**
 * How the agent sends HTTP: the application's `fetch` (global `fetch` by default), except for
 * `*.localhost` names in development mode, which go to 127.0.0.1 with the name kept as `Host`.
 */
import { isLoopbackHost } from '@aauth-ts/core';
import { loopbackRequest } from './loopback-request.js';
import type { TransportRequest } from './transport-request.js';

export type Transport = (url: URL, request: TransportRequest) => Promise<Response>;

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  readonly fetch?: FetchLike;
  /** Development: map `*.localhost` names to 127.0.0.1. */
  readonly development?: boolean;
}

/** True when `url` names a `*.localhost` host that development mode connects to 127.0.0.1. */
export function needsLoopbackMapping(url: URL, development: boolean): boolean {
  return development && url.hostname !== 'localhost' && url.hostname.endsWith('.localhost') && isLoopbackHost(url.hostname);
}

export function createTransport(options: TransportOptions = {}): Transport {
  const development = options.development === true;
  return (url, request) => {
    if (needsLoopbackMapping(url, development)) return loopbackRequest(url, request);
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const init: RequestInit = { method: request.method, headers: request.headers, redirect: request.redirect ?? 'manual' };
    if (request.body !== undefined) init.body = request.body as Uint8Array<ArrayBuffer>;
    if (request.signal !== undefined) init.signal = request.signal;
    return fetchImpl(url, init);
  };
}
