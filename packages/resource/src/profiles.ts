/**
 * Which wire profile a request is served in. A resource runs one profile, or both (the
 * `profile` option as an array): then the `typ` of the token presented in `Signature-Key`
 * decides (draft-hardt-oauth-aauth-protocol §Keying Material: every AAuth request carries a
 * token, and only `typ` tells the token types apart).
 */
import { AAUTH_2026_03, AAUTH_CURRENT, PROFILE, getHeader, signatureKeysOf, peekTyp, type ProfileName, type SignableRequest, type SignatureKeyScheme } from '@aauth-ts/core';
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
 * The profile to answer `request` in. One profile served: that one. Both: the profile of the
 * token it presents with `scheme=jwt`; a request signed without a current-profile token (`hwk`,
 * `jwks_uri`, `x509`, a 2026-03 token, or one that does not parse) is a 2026-03 request, since
 * current-profile agents sign with their tokens (draft-hardt-oauth-aauth-protocol §Keying
 * Material); an unsigned request is answered in the first profile listed. Never throws: an
 * unparseable header is verification's to refuse.
 */
export function profileOfRequest(options: Pick<ResolvedOptions, 'profiles'>, request: Pick<SignableRequest, 'headers'>): ProfileName {
  const first = options.profiles[0] as ProfileName;
  if (options.profiles.length === 1) return first;
  const header = getHeader(request.headers, PROFILE.headers.signatureKey);
  if (header === undefined) return first;
  try {
    for (const key of signatureKeysOf(header)) {
      if (key.scheme === 'jwt' && profileOfTyp(peekTyp(key.jwt)) === AAUTH_CURRENT.name) return AAUTH_CURRENT.name;
    }
  } catch {
    // Refused by verification with its own sentence.
  }
  return AAUTH_2026_03.name;
}

/** The profile of a request signed without a token (`hwk`, `jwks_uri`, `x509`): 2026-03 when served. */
export function tokenlessProfile(options: Pick<ResolvedOptions, 'profiles'>): ProfileName {
  return options.profiles.includes(AAUTH_2026_03.name) ? AAUTH_2026_03.name : AAUTH_CURRENT.name;
}

/**
 * The `Signature-Key` schemes a current-profile request may use here: `jwt`
 * (§Keying Material), and `x509` when trust anchors are configured (a resource that "also serves
 * clients outside AAuth" lists every scheme it accepts, §Signature-Key Scheme Rejection).
 */
export function currentSchemes(options: Pick<ResolvedOptions, 'x509TrustAnchors'>): SignatureKeyScheme[] {
  return [...AAUTH_CURRENT.signatureKeySchemes, ...(options.x509TrustAnchors.length > 0 ? ['x509' as const] : [])];
}
