/**
 * Missions the Person Server approved (draft-hardt-oauth-aauth-protocol §Mission): the exact blob
 * bytes it persisted (`s256` is computed over them and they are returned as `mission`), the owning
 * agent and the approving user, the state (`active` or `terminated` with a reason, §Mission
 * Management: a terminated mission never returns to `active`) and the accepted updates
 * (§Mission Log). Missions are not swept: they end by completion, revocation or `expires_at`.
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

export class MissionStore {
  readonly #byS256 = new Map<string, Mission>();

  add(mission: Mission): void {
    this.#byS256.set(mission.s256, mission);
  }

  get(s256: string): Mission | undefined {
    return this.#byS256.get(s256);
  }

  /** Active, unless terminated or past `expires_at` (then terminated `expired`, for good). */
  refresh(mission: Mission, now: number): Mission {
    if (mission.state === 'active' && mission.expiresAt !== undefined && now >= mission.expiresAt) this.terminate(mission, 'expired');
    return mission;
  }

  terminate(mission: Mission, reason: string): void {
    if (mission.state === 'terminated') return;
    mission.state = 'terminated';
    mission.terminationReason = reason;
  }
}
