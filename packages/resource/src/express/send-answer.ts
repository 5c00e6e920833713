/** Write a framework-neutral `ResourceAnswer` to an express response: a string or bytes as they are, anything else as JSON. */
import type { Response } from 'express';
import type { ResourceAnswer } from '../deferral-store.js';

export function sendAnswer(res: Response, answer: ResourceAnswer): void {
  res.status(answer.status).set(answer.headers);
  const { body } = answer;
  if (body === undefined) res.end();
  else if (typeof body === 'string') res.send(body);
  else if (body instanceof Uint8Array) res.send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  else res.json(body);
}
