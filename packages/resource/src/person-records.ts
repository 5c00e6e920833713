/**
 * The person tokens this resource has verified, remembered until they expire
 * (draft-hardt-oauth-aauth-protocol §Resource Token Structure, `presented_jti`: "on a step-up or
 * per-call challenge the request carries an auth token, and the resource supplies the value from
 * its record of the person token it verified earlier"). Keyed by the person (`ps`, `sub`), the key
 * the token was bound to, and the mission, so a step-up names the person token of this very agent
 * key and mission: an auth token cannot borrow another mission's person token.
 *
 * Bounded (entries and bytes, least recently used first): anyone trusted by a Person Server can
 * present person tokens. A forgotten record costs the agent one more person token
 * (`requirement=person-token`), never a wrong binding.
 */
import { BoundedCache } from '@aauth-ts/core';

export interface PersonRecord {
  /** The person token's `iss`: the `ps` of the resource tokens that name it. */
  readonly ps: string;
  readonly sub: string;
  readonly jti: string;
  readonly missionS256: string | undefined;
  readonly tenant: string | undefined;
  /** The person token's `exp`. */
  readonly expiresAt: number;
}

const PER_ENTRY = 512;

function keyOf(ps: string, sub: string, thumbprint: string, missionS256: string | undefined): string {
  // JSON keeps the parts apart whatever characters they hold.
  return JSON.stringify([ps, sub, thumbprint, missionS256 ?? null]);
}

export class PersonRecords {
  readonly #records: BoundedCache<PersonRecord>;

  constructor(maxEntries: number) {
    this.#records = new BoundedCache({ maxEntries, maxBytes: maxEntries * PER_ENTRY * 2 });
  }

  get size(): number {
    return this.#records.size;
  }

  /** Remember a verified person token presented with the key `thumbprint`. */
  remember(record: PersonRecord, thumbprint: string): void {
    const key = keyOf(record.ps, record.sub, thumbprint, record.missionS256);
    this.#records.set(key, record, key.length * 2 + record.jti.length * 2 + PER_ENTRY);
  }

  /** The live person token for this person, key and mission, if one was verified. */
  find(ps: string, sub: string, thumbprint: string, missionS256: string | undefined, now: number): PersonRecord | undefined {
    const key = keyOf(ps, sub, thumbprint, missionS256);
    const record = this.#records.get(key);
    if (record === undefined) return undefined;
    if (record.expiresAt <= now) {
      this.#records.delete(key);
      return undefined;
    }
    return record;
  }
}
