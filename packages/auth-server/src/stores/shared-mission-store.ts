/**
 * Approved missions in a store shared by several Person Server instances (auth-server contract
 * "Several instances"): a mission approved at one is named, updated and completed at any other.
 * A mission is one JSON record (`ps-mission:{s256}`); termination and the update log are
 * compare-and-set changes of it, so no instance can bring a terminated mission back.
 */
import { guardStoreCall, type AAuthLogger, type SharedStore } from '@aauth-ts/core';
import { LOG_COMPONENT } from '../http/decision-route.js';
import { asOf, endMission, type Mission, type MissionLedger, type MissionUpdate } from './mission-store.js';
import { LASTING_TTL_MS, readRecord, updateRecord, type StoreGuard } from './shared-record.js';

const key = (s256: string): string => `ps-mission:${s256}`;

export class SharedMissionStore implements MissionLedger {
  readonly #store: SharedStore;
  readonly #guard: StoreGuard;

  constructor(store: SharedStore, logger: AAuthLogger) {
    this.#store = store;
    this.#guard = (call) => guardStoreCall(call, logger, LOG_COMPONENT, 'the shared mission store');
  }

  async add(mission: Mission): Promise<void> {
    await this.#guard(this.#store.put(key(mission.s256), JSON.stringify(mission), LASTING_TTL_MS));
  }

  async get(s256: string, now: number): Promise<Mission | undefined> {
    const mission = await readRecord<Mission>(this.#store, this.#guard, key(s256));
    if (mission === undefined) return undefined;
    if (asOf({ ...mission }, now).state === mission.state) return mission;
    await this.terminate(s256, 'expired');
    return asOf(mission, now);
  }

  async terminate(s256: string, reason: string): Promise<void> {
    await updateRecord<Mission>(this.#store, this.#guard, key(s256), LASTING_TTL_MS, (mission) => {
      if (mission?.state !== 'active') return undefined;
      endMission(mission, reason);
      return mission;
    });
  }

  async addUpdate(s256: string, update: MissionUpdate): Promise<boolean> {
    let added = false;
    await updateRecord<Mission>(this.#store, this.#guard, key(s256), LASTING_TTL_MS, (mission) => {
      added = mission?.state === 'active';
      if (!added) return undefined;
      return { ...mission, updates: [...(mission as Mission).updates, update] } as Mission;
    });
    return added;
  }
}
