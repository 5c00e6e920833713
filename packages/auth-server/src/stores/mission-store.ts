/**
 * Missions the Person Server approved (draft-hardt-oauth-aauth-protocol §Mission): the exact blob
 * bytes it persisted (`s256` is computed over them and they are returned as `mission`), the owning
 * agent and the approving user, the state (`active` or `terminated` with a reason, §Mission
 * Management: a terminated mission never returns to `active`) and the accepted updates
 * (§Mission Log). Missions are not swept: they end by completion, revocation or `expires_at`.
 * Kept in this process (`MissionStore`) or in a store shared by several instances
 * (`SharedMissionStore`), behind `MissionLedger`.
 */

export type MissionState = 'active' | 'terminated';

export interface MissionUpdate {
  readonly s256: string;
  /** The update as persisted (UTF-8 JSON), its `s256` computed over these bytes. */
  readonly bytes: string;
}

export interface Mission {
  readonly s256: string;
  /** The blob, base64url without padding, exactly as returned in `mission`. */
  readonly blob: string;
  /** Agent provider (agent token `iss`) and agent identifier (its `sub`) of the owning agent. */
  readonly provider: string;
  readonly agent: string;
  readonly userId: string;
  readonly approvedResources: readonly string[];
  /** `expires_at` in seconds, when the blob has one. */
  readonly expiresAt: number | undefined;
  state: MissionState;
  terminationReason: string | undefined;
  readonly updates: MissionUpdate[];
}

/** Where approved missions live; each call answers at once (this process) or through a shared store. */
export interface MissionLedger {
  add(mission: Mission): void | Promise<void>;
  /** The mission `s256` as of `now`: past `expires_at` it is terminated `expired`, for good. */
  get(s256: string, now: number): Mission | undefined | Promise<Mission | undefined>;
  /** Terminate with `reason`, unless already terminated (the first reason stays). */
  terminate(s256: string, reason: string): void | Promise<void>;
  /** Log an accepted update: false when the mission is unknown or no longer active. */
  addUpdate(s256: string, update: MissionUpdate): boolean | Promise<boolean>;
}

/** `mission` as of `now`: an active one past `expires_at` becomes terminated `expired`. */
export function asOf(mission: Mission, now: number): Mission {
  if (mission.state === 'active' && mission.expiresAt !== undefined && now >= mission.expiresAt) endMission(mission, 'expired');
  return mission;
}

/** §Mission Management: a terminated mission never returns to `active`, nor changes its reason. */
export function endMission(mission: Mission, reason: string): void {
  if (mission.state === 'terminated') return;
  mission.state = 'terminated';
  mission.terminationReason = reason;
}

export class MissionStore implements MissionLedger {
  readonly #byS256 = new Map<string, Mission>();

  add(mission: Mission): void {
    this.#byS256.set(mission.s256, mission);
  }

  get(s256: string, now: number): Mission | undefined {
    const mission = this.#byS256.get(s256);
    return mission === undefined ? undefined : asOf(mission, now);
  }

  terminate(s256: string, reason: string): void {
    const mission = this.#byS256.get(s256);
    if (mission !== undefined) endMission(mission, reason);
  }

  addUpdate(s256: string, update: MissionUpdate): boolean {
    const mission = this.#byS256.get(s256);
    if (mission?.state !== 'active') return false;
    mission.updates.push(update);
    return true;
  }
}
