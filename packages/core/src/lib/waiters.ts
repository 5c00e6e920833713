/**
 * Callers held on one deferred request (an RFC 7240 `Prefer: wait` poll on an intermediary's chained
 * flow or on a resource's deferral): each is released when the request settles or ends
 * (`wakeAll`), or when its own wait runs out, whichever comes first. A released caller is
 * forgotten, so nothing outlives the request.
 */
export class Waiters {
  readonly #waiting = new Set<() => void>();

  /** Callers held right now. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Resolves at the next `wakeAll()` or after `seconds`; at once when `seconds` is not positive. */
  wait(seconds: number): Promise<void> {
    if (seconds <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, seconds * 1000);
      // A held poll never keeps the process alive on its own.
      timer.unref();
      this.#waiting.add(done);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.#waiting]) wake();
  }
}
