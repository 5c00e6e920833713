/**
 * What the Person Server remembers of each person token it issued (draft-hardt-oauth-aauth-protocol
 * §Person Token Endpoint: "A PS MUST retain a record of each person token it issues — `jti`, `ps`,
 * `sub`, `mission_s256`, `tenant`, and `exp` — sufficient to answer resource token verification").
 * A record outlives its token by `retentionSeconds`, at least the longest resource-token lifetime
 * the auth token endpoint accepts, because a resource token may name a person token that was valid
 * when the resource issued it. Bounded like the other stores: when full of live records it refuses
 * to issue rather than forget one (a forgotten record would turn a valid grant into
 * `unknown_person_token`), and each agent holds at most its share.
 */
import type { PersonTokenRecord as RetainedClaims } from '@aauth-ts/core';
import { AgentQuota } from './agent-quota.js';

/** Core's record of the claims step 6 compares (`jti`, `ps`, `sub`, `mission_s256`, `tenant`, `exp`), and what the PS adds. */
export interface PersonTokenRecord extends RetainedClaims {
  /** The resource the token is for (`aud`). */
  readonly aud: string;
  /** RFC 7638 thumbprint of `cnf.jwk`: the key the resource token's `agent_jkt` must name. */
  readonly jkt: string;
  /** The agent that asked (the parent, for a sub-agent's token), and the sub-agent it was for. */
  readonly agent: string;
  readonly subagent: string | undefined;
  /** The realm user the token names. */
  readonly userId: string;
  /**
   * The `jti` of the `upstream_token` a chained person token was issued on (§Call Chaining); its
   * resource token is then redeemed only with an `upstream_token` naming the same person.
   */
  readonly upstream?: string | undefined;
}

export interface PersonTokenRecordsOptions {
  /** Default 100 000. */
  readonly maxEntries?: number;
  /** Default a tenth of `maxEntries`. */
  readonly maxPerAgent?: number;
  /** How long a record is kept after the token's `exp`, seconds. */
  readonly retentionSeconds: number;
}

export type RecordVerdict = 'stored' | 'full' | 'agent_full';

export class PersonTokenRecords {
  readonly #max: number;
  readonly #quota: AgentQuota;
  readonly #retention: number;
  readonly #byJti = new Map<string, PersonTokenRecord>();
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: PersonTokenRecordsOptions) {
    this.#max = options.maxEntries ?? 100_000;
    this.#quota = AgentQuota.shareOf(this.#max, options.maxPerAgent);
    this.#retention = options.retentionSeconds;
  }

  get retentionSeconds(): number {
    return this.#retention;
  }

  get size(): number {
    return this.#byJti.size;
  }

  /** Whether a record for `agent` could be stored now (asked before signing the token). */
  room(agent: string, now: number): RecordVerdict {
    if (this.#byJti.size >= this.#max || this.#quota.full(agent)) this.#sweep(now);
    if (this.#byJti.size >= this.#max) return 'full';
    if (this.#quota.full(agent)) return 'agent_full';
    return 'stored';
  }

  add(record: PersonTokenRecord, now: number): RecordVerdict {
    const verdict = this.room(record.agent, now);
    if (verdict !== 'stored') return verdict;
    this.#byJti.set(record.jti, record);
    this.#quota.add(record.agent);
    return 'stored';
  }

  /** The record of `jti` while it is retained, else undefined. */
  get(jti: string, now: number): PersonTokenRecord | undefined {
    const record = this.#byJti.get(jti);
    if (record === undefined) return undefined;
    if (record.exp + this.#retention < now) {
      this.#forget(record);
      return undefined;
    }
    return record;
  }

  #forget(record: PersonTokenRecord): void {
    this.#byJti.delete(record.jti);
    this.#quota.remove(record.agent);
  }

  #sweep(now: number): void {
    if (now === this.#sweptAt) return;
    this.#sweptAt = now;
    for (const record of this.#byJti.values()) if (record.exp + this.#retention < now) this.#forget(record);
  }
}
