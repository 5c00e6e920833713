/**
 * The backend's runs (planning runs, MCP runs), kept by id for the page to poll: the newest
 * `max` only, the oldest dropped first, so a page left polling cannot grow the backend's memory.
 */
import type { RequestHandler } from 'express';
import { PROFILE } from '@aauth-ts/core';

export class RecentRuns<T extends { readonly id: string }> {
  readonly #runs = new Map<string, T>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  add(run: T): void {
    this.#runs.set(run.id, run);
    for (const id of this.#runs.keys()) {
      if (this.#runs.size <= this.#max) break;
      this.#runs.delete(id);
    }
  }

  /** `GET …/:id`: the run's state as it is now (never cached), or `404` naming `what` is missing. */
  show(what: string): RequestHandler<{ id: string }> {
    return (req, res) => {
      const run = this.#runs.get(String(req.params.id));
      if (!run) {
        res.status(404).json({ error: 'invalid_request', error_description: `no such ${what}` });
        return;
      }
      res.set(PROFILE.headers.cacheControl, 'no-store').json(run);
    };
  }
}
