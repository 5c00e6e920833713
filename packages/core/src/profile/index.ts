export { AAUTH_2026_03 } from './aauth-2026-03.js';
export type { Profile, RequireValue, TokenKind } from './aauth-2026-03.js';
export { AAUTH_CURRENT } from './aauth-current.js';
export type {
  CurrentProfile, CurrentErrorCode, SignatureErrorCode, RequirementValue, CurrentTokenKind, CurrentMetadataDocument, CurrentAlgorithm,
  Capability, AccessMode, TerminationReason,
} from './aauth-current.js';
import { AAUTH_2026_03, type Profile } from './aauth-2026-03.js';
import { AAUTH_CURRENT, type CurrentErrorCode, type CurrentProfile } from './aauth-current.js';

/** The default profile (DESIGN.md "Wire profile"). */
export const PROFILE = AAUTH_2026_03;

/** A wire error code of either profile (the `error` member of a JSON or problem+json body). */
export type WireErrorCode = keyof Profile['errors'] | CurrentErrorCode;

/** The names by which public APIs select a profile. */
export type ProfileName = 'aauth-2026-03' | 'aauth-current';
export const PROFILE_NAMES: readonly ProfileName[] = Object.freeze([AAUTH_2026_03.name, AAUTH_CURRENT.name]);
export type AnyProfile = Profile | CurrentProfile;

export function isProfileName(value: unknown): value is ProfileName {
  return typeof value === 'string' && (PROFILE_NAMES as readonly string[]).includes(value);
}

/** The profile object for a name; an unknown name is a caller's mistake (`TypeError`). */
export function profileByName(name: 'aauth-2026-03'): Profile;
export function profileByName(name: 'aauth-current'): CurrentProfile;
export function profileByName(name: ProfileName): AnyProfile;
export function profileByName(name: ProfileName): AnyProfile {
  if (name === AAUTH_2026_03.name) return AAUTH_2026_03;
  if (name === AAUTH_CURRENT.name) return AAUTH_CURRENT;
  throw new TypeError(`unknown AAuth profile ${JSON.stringify(name)} (known: ${PROFILE_NAMES.join(', ')})`);
}

/** The HTTP status a profile gives an error code (a code the profile lacks is a 400 bad request). */
export function statusOf(code: WireErrorCode, profile: AnyProfile = PROFILE): number {
  const own = (profile.errors as Readonly<Record<string, number>>)[code];
  if (own !== undefined) return own;
  // A code of the other profile keeps that profile's status.
  const other = (profile === AAUTH_CURRENT ? AAUTH_2026_03.errors : AAUTH_CURRENT.errors) as Readonly<Record<string, number>>;
  return other[code] ?? 400;
}
