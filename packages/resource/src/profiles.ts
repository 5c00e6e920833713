/**
 * Which wire profile a request is served in. A resource runs one profile, or both (the
 * `profile` option as an array): then the `typ` of the token presented in `Signature-Key`
 * decides (draft-hardt-oauth-aauth-protocol §Keying Material: every AAuth request carries a
 * token, and only `typ` tells the token types apart), and a request that presents none is answered
 * in the first profile listed.
 */
import { AAUTH_2026_03, AAUTH_CURRENT, PROFILE, getHeader, parseSignatureKeys, peekTyp, type ProfileName, type SignableRequest } from '@aauth-ts/core';
import type { ResolvedOptions } from './options.js';

/** Per profile, the token types a request may be signed with (a resource token never is). */
export const SIGNING_TYPS: Readonly<Record<ProfileName, readonly string[]>> = {
  'aauth-2026-03': [AAUTH_2026_03.typ.agent, AAUTH_2026_03.typ.auth],
  'aauth-current': [AAUTH_CURRENT.typ.agent, AAUTH_CURRENT.typ.person, AAUTH_CURRENT.typ.auth],
};

/** The profile whose signing token type `typ` is, if any. */
export function profileOfTyp(typ: unknown): ProfileName | undefined {
  if (typeof typ !== 'string') return undefined;
  return (Object.keys(SIGNING_TYPS) as ProfileName[]).find((name) => SIGNING_TYPS[name].includes(typ));
}

/**
 * The profile to answer `request` in: the served profile of the first `jwt` it presents, else the
 * resource's default. Never throws: an unparseable header is verification's to refuse.
 */
export function profileOfRequest(options: Pick<ResolvedOptions, 'profiles'>, request: Pick<SignableRequest, 'headers'>): ProfileName {
  const fallback = options.profiles[0] as ProfileName;
  if (options.profiles.length === 1) return fallback;
  const header = getHeader(request.headers, PROFILE.headers.signatureKey);
  if (header === undefined) return fallback;
  try {
    for (const key of parseSignatureKeys(header)) {
      if (key.scheme !== 'jwt') continue;
      const profile = profileOfTyp(peekTyp(key.jwt));
      if (profile !== undefined && options.profiles.includes(profile)) return profile;
    }
  } catch {
    // Refused by verification with its own sentence.
  }
  return fallback;
}
