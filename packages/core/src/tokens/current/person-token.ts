/**
 * Person tokens, `typ: aa-person+jwt` (draft-hardt-oauth-aauth-protocol §Person Token Structure,
 * §Person Token Verification): a PS names, to one resource (`aud`), the person an agent acts for,
 * as a directed `sub`, bound to the agent's key. It carries no authorization (no `scope`, no
 * `account`), and is never accepted where an auth token is required: only `typ` tells them apart.
 */
import type { PublicJwk, SigningKey } from '../../jwk/types.js';
import { AAUTH_CURRENT } from '../../profile/index.js';
import type { CommonClaims } from '../types.js';
import {
  asCurrent, confirmationJwk, issueFitted, optionalMissionS256, optionalString, requireAudience, requireBoundTo, requireConfirmationKey,
  requireLifetimeAtMost, requireString, tokenError, verifyCommon, type CurrentVerifyOptions,
} from './common.js';

const CODE = 'invalid_person_token';
const C = AAUTH_CURRENT.claims;

export interface AaPersonTokenClaims extends CommonClaims {
  dwk: 'aauth-person.json';
  /** The resource this token identifies the person to. */
  aud: string;
  /** Directed identifier: unique within `iss`, the same the PS puts in auth tokens for this `aud`. */
  sub: string;
  jti: string;
  cnf: { jwk: PublicJwk };
  mission_s256?: string;
  tenant?: string;
}

export interface CreateAaPersonTokenInput {
  /** The PS's issuer identifier. */
  readonly iss: string;
  /** The resource. */
  readonly aud: string;
  readonly sub: string;
  readonly cnfJwk: PublicJwk;
  readonly missionS256?: string;
  readonly tenant?: string;
  /** Default and ceiling 3600 s (§Person Token Structure). */
  readonly lifetimeSeconds?: number;
  /**
   * Seconds since the epoch the token must not outlive: the presented agent token's `exp`, the
   * mission's `expires_at` (§Person Token Structure). The lifetime is shortened to fit.
   */
  readonly notAfter?: number;
  readonly now?: number;
  readonly jti?: string;
}

export function createAaPersonToken(key: SigningKey, input: CreateAaPersonTokenInput): Promise<string> {
  const claims = { [C.iss]: input.iss, [C.dwk]: AAUTH_CURRENT.wellKnown.person, [C.aud]: input.aud, [C.sub]: input.sub, [C.cnf]: { [C.jwk]: confirmationJwk(input.cnfJwk) } };
  return issueFitted(key, 'person', claims, { [C.missionS256]: input.missionS256, [C.tenant]: input.tenant }, input);
}

export interface VerifyAaPersonTokenOptions extends CurrentVerifyOptions {
  /** The resource's own identifier, which `aud` must equal (step 5). */
  readonly audience: string;
  /** The public key that signed the HTTP request (step 6). */
  readonly requestKey?: PublicJwk;
}

/**
 * §Person Token Verification: 1 `typ`; 2 `dwk` = `aauth-person.json`, key, signature; 3 `exp`/`iat`;
 * 4 `iss` a server identifier; 5 `aud` is this resource; 6 `cnf.jwk` required, structurally whole,
 * the request key. Also: `sub` present, lifetime at most 1 hour, no `scope` or `account`.
 */
export async function verifyAaPersonToken(token: string, options: VerifyAaPersonTokenOptions): Promise<AaPersonTokenClaims> {
  try {
    const { claims } = await verifyCommon(token, 'person', CODE, options);
    requireAudience(claims, options.audience, CODE);
    requireString(claims, C.sub, CODE);
    const jwk = requireConfirmationKey(claims, CODE);
    requireBoundTo(jwk, options.requestKey, CODE);
    requireLifetimeAtMost(claims, AAUTH_CURRENT.lifetimes.person, CODE);
    for (const forbidden of [C.scope, C.account]) {
      if (claims[forbidden] !== undefined) throw tokenError(CODE, `a person token must not carry "${forbidden}"`, { field: forbidden, reason: 'forbidden_claim' });
    }
    optionalMissionS256(claims, CODE);
    optionalString(claims, C.tenant, CODE);
    return claims as AaPersonTokenClaims;
  } catch (err) {
    throw asCurrent(err, CODE);
  }
}
