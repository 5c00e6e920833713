/**
 * The token endpoint answered straight from `node:http`, ahead of the express app, when the
 * request is the plain case: `POST` to the exact path, a `Content-Length` body within the limit,
 * no content coding. A warm token request then costs its verifications and little else: no
 * router, body-parser or response helpers run for it. Everything else (another method or path,
 * a chunked or coded body, one over the limit) goes to the express app, which answers as it does
 * for every other route, so each refusal of an unusual request keeps its one source.
 * The handler, the decision log line and the error answers are the express route's own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extend, type AAuthLogger, type DecisionSubject } from '@aauth-ts/core';
import type { IncomingRequest } from '../request/types.js';
import type { EndpointResponse } from '../token/response.js';
import { decide } from './decision-route.js';
import { errorAnswer } from './error-handler.js';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface DirectTokenRoute {
  /** `{base}{token path}`: matched exactly (a query string goes to the app). */
  readonly path: string;
  /** Largest body read here, bytes; larger ones go to the app (which refuses them). */
  readonly limit: number;
  /** `@authority`'s origin: the issuer's. */
  origin(): string;
  handle(request: IncomingRequest, about: DecisionSubject): Promise<EndpointResponse>;
  readonly log: (message: string, err: unknown) => void;
  readonly logger: AAuthLogger;
}

/** The same bytes express's `res.json` writes for a JSON answer. */
function writeJson(res: ServerResponse, out: EndpointResponse): void {
  const body = JSON.stringify(out.body);
  res.writeHead(out.status, extend(out.headers, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }));
  res.end(body);
}

function plainBodyLength(req: IncomingMessage, limit: number): number | undefined {
  if (req.headers['transfer-encoding'] !== undefined || req.headers['content-encoding'] !== undefined) return undefined;
  const declared = req.headers['content-length'];
  if (declared === undefined || !/^[0-9]{1,9}$/.test(declared)) return undefined;
  const length = Number(declared);
  return length > 0 && length <= limit ? length : undefined;
}

export function withDirectTokenRoute(route: DirectTokenRoute, app: RequestListener): RequestListener {
  return function aauthRequest(req, res) {
    const length = req.method === 'POST' && req.url === route.path ? plainBodyLength(req, route.limit) : undefined;
    if (length === undefined) return void app(req, res);
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    // A client that goes away before its body is complete gets no answer.
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (received !== length) return void res.destroy();
      const request: IncomingRequest = { method: 'POST', url: `${route.origin()}${route.path}`, target: route.path, headers: req.headers, body: chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, received) };
      const about: DecisionSubject = {};
      decide(route.logger, 'token', about, () => route.handle(request, about)).then(
        (out) => writeJson(res, out),
        (err: unknown) => writeJson(res, errorAnswer(err, route.log, route.logger)),
      );
    });
  };
}
