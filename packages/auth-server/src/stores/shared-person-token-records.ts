/**
 * Person-token records in a store shared by several Person Server instances (auth-server contract
 * "Several instances"): a person token issued at one instance is honoured by a resource token
 * redeemed at any other. One JSON record per `jti` (`ps-record:{jti}`), kept until the token's
 * `exp` plus the retention (draft-hardt-oauth-aauth-protocol §Person Token Endpoint: the PS MUST
 * retain it), after which the store forgets it by itself. Bounded by the store (Redis `maxmemory`
 * with `noeviction`), not per agent.
 */
import { guardStoreCall, type AAuthLogger, type SharedStore } from '@aauth-ts/core';
import { LOG_COMPONENT } from '../http/decision-route.js';
import type { PersonTokenLedger, PersonTokenRecord, RecordVerdict } from './person-token-records.js';
import { readRecord, type StoreGuard } from './shared-record.js';

const key = (jti: string): string => `ps-record:${jti}`;

export class SharedPersonTokenRecords implements PersonTokenLedger {
  readonly retentionSeconds: number;
  readonly #store: SharedStore;
  readonly #guard: StoreGuard;

  constructor(store: SharedStore, logger: AAuthLogger, retentionSeconds: number) {
    this.#store = store;
    this.#guard = (call) => guardStoreCall(call, logger, LOG_COMPONENT, 'the shared store of person-token records');
    this.retentionSeconds = retentionSeconds;
  }

  room(): RecordVerdict {
    return 'stored';
  }

  async add(record: PersonTokenRecord, now: number): Promise<RecordVerdict> {
    // Kept through `exp + retention` inclusive, as `PersonTokenRecords` keeps it.
    await this.#guard(this.#store.put(key(record.jti), JSON.stringify(record), (record.exp + this.retentionSeconds - now + 1) * 1000));
    return 'stored';
  }

  async get(jti: string, now: number): Promise<PersonTokenRecord | undefined> {
    const record = await readRecord<PersonTokenRecord>(this.#store, this.#guard, key(jti));
    return record === undefined || record.exp + this.retentionSeconds < now ? undefined : record;
  }
}
