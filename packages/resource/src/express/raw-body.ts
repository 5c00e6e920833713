/**
 * Keep the raw body when a body parser runs before `aauth()`: `express.json({ verify: captureRawBody })`.
 * RFC 9530 digests the bytes as sent, so `Content-Digest` cannot be checked against a parsed body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function captureRawBody(req: IncomingMessage, _res: ServerResponse, buffer: Buffer): void {
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buffer;
}
