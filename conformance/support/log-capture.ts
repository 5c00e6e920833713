/** A pino destination that keeps every line, raw and parsed, for tests that read a server's log. */
import { Writable } from 'node:stream';

export interface LogCapture {
  readonly stream: Writable;
  /** Each line parsed as JSON, in order. */
  readonly lines: Record<string, unknown>[];
  /** Each line as written. */
  readonly raw: string[];
}

export function captureLog(): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n').filter((l) => l.length > 0)) {
        raw.push(text);
        lines.push(JSON.parse(text) as Record<string, unknown>);
      }
      done();
    },
  });
  return { stream, lines, raw };
}
