/**
 * Polls held on pending requests (RFC 7240 `wait`), woken when a request is decided or forgotten.
 * Bounded: at most `maxHeld` polls are held at once, beyond that a poll is answered at once.
 */
export class PollWaiters {
  readonly #waiters = new Map<string, Set<() => void>>();
  #held = 0;

  /** Polls held right now. */
  get held(): number {
    return this.#held;
  }

  /** Hold until `wake(id)`, `ms` pass, or `signal` aborts; false (at once) when none can be held. */
  hold(id: string, ms: number, maxHeld: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#held >= maxHeld || ms <= 0 || signal?.aborted) return Promise.resolve(false);
    this.#held++;
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set<() => void>();
      this.#waiters.set(id, waiters);
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiters.get(id) === waiters) this.#waiters.delete(id);
        this.#held--;
        resolve(true);
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  wake(id: string): void {
    for (const done of [...(this.#waiters.get(id) ?? [])]) done();
  }
}
