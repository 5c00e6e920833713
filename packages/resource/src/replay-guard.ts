/**
 * Replay refusal for state-changing requests (2026-03 §Replay Protection), partitioned by how
 * well the caller is vouched for, so that no one can fill the cache for everybody: one shared
 * cache refused new entries when full, and self-made `hwk` signatures to nonexistent paths
 * were enough to make every legitimate POST a 503.
 *
 * Partitions, as shares of `maxEntries` (memory stays bounded by `maxEntries` in total):
 *  - authorized, 70 %: an auth token from a trusted issuer. Quota per agent: 1/8 of the partition.
 *  - identified, 20 %: an agent token or `jwks_uri`, vouched for only by the agent's own server.
 *    Quota per agent: 1/8 of the partition.
 *  - pseudonymous, 10 %: `hwk`. Keys cost nothing to make, so a per-key quota would mean nothing;
 *    only the partition bound applies.
 * A full partition refuses its own class only (503); a caller over its quota gets 429.
 *
 * Current profile: person and auth tokens name no agent; their caller is the person (`ps`, `sub`),
 * and a person token counts as identified (a trusted Person Server vouches for it).
 */
import { AAuthError, PROFILE, ReplayCache, SignatureError } from '@aauth-ts/core';
import type { AAuthContext } from './context.js';

type Partition = 'authorized' | 'identified' | 'pseudonymous';

const SHARES: Readonly<Record<Partition, number>> = { authorized: 0.7, identified: 0.2, pseudonymous: 0.1 };
/** Fraction of a partition one agent may hold. */
const AGENT_QUOTA = 1 / 8;

type Caller = Pick<AAuthContext, 'agent' | 'tokenType' | 'ps' | 'sub'>;

function partitionOf(context: Caller): Partition {
  if (context.tokenType === 'auth') return 'authorized';
  return context.agent === undefined && context.tokenType !== 'person' ? 'pseudonymous' : 'identified';
}

/** Whom a quota counts: the agent, or for a current-profile person or auth token the person. */
function callerOf(context: Caller): string | undefined {
  if (context.agent !== undefined) return context.agent;
  return context.ps === undefined || context.sub === undefined ? undefined : JSON.stringify([context.ps, context.sub]);
}

export class ReplayGuard {
  readonly #caches: Readonly<Record<Partition, ReplayCache>>;

  constructor(ttlSeconds: number, maxEntries: number) {
    const cache = (partition: Partition, quota: boolean): ReplayCache => {
      const entries = Math.max(1, Math.floor(maxEntries * SHARES[partition]));
      return new ReplayCache({ ttlSeconds, maxEntries: entries, ...(quota ? { maxPerCaller: Math.max(1, Math.floor(entries * AGENT_QUOTA)) } : {}) });
    };
    this.#caches = { authorized: cache('authorized', true), identified: cache('identified', true), pseudonymous: cache('pseudonymous', false) };
  }

  /** Accept `replayKey` once inside the window, or throw the answer (401 replayed, 429, 503). */
  check(replayKey: string, context: Caller, now: number): void {
    const partition = partitionOf(context);
    const caller = callerOf(context);
    const verdict = this.#caches[partition].check(replayKey, now, partition === 'pseudonymous' ? undefined : caller);
    switch (verdict) {
      case 'fresh': return;
      case 'replayed': throw new SignatureError('invalid_signature', 'this signature has already been used (replayed request)', { field: 'signature', reason: 'replayed' });
      case 'over_quota':
        throw new AAuthError('server_error', 'this agent has too many recent signed requests to remember; retry shortly', { reason: 'replay_quota', actual: caller },
          { status: 429, headers: { [PROFILE.headers.retryAfter]: '1' } });
      case 'full':
        throw new AAuthError('server_error', 'too many recent signed requests to remember; retry shortly', { reason: 'replay_cache_full', actual: partition },
          { status: 503, headers: { [PROFILE.headers.retryAfter]: '1' } });
    }
  }
}
