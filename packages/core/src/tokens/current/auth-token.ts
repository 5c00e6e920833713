/**
 * Auth tokens, `typ: aa-auth+jwt` (draft-hardt-oauth-aauth-protocol §Auth Token Structure, §Auth
 * Token Verification, §Auth Token Response Verification): issued by the person's PS (three-party,
 * `dwk` = `aauth-person.json`, `ps` = `iss`) or the resource's AS (four-party, `aauth-access.json`),
 * bound to the agent key; it names the person as `(iss, sub)` and carries no agent identifier.
 */
import { checkRegisteredClaims, type RegisteredClaims } from '../registered-claims.js';
import type { PublicJwk, SigningKey } from '../../jwk/types.js';
import { AAUTH_CURRENT } from '../../profile/index.js';
import type { CommonClaims } from '../types.js';
import {
  asCurrent, confirmationJwk, issueFitted, optionalMissionS256, optionalServerIdentifier, optionalString, requireAudience, requireBoundTo,
  requireConfirmationKey, requireLifetimeAtMost, requireString, tokenError, verifyCommon, type CurrentVerifyOptions,
} from './common.js';

const CODE = 'invalid_auth_token';
const C = AAUTH_CURRENT.claims;

export interface AaAuthTokenClaims extends CommonClaims, RegisteredClaims {
  dwk: 'aauth-access.json' | 'aauth-person.json';
  /** The resource. */
  aud: string;
  jti: string;
  /** The person's PS; equal to `iss` when a PS issued the token. */
  ps: string;
  /** Directed identifier of the person at `aud`, unique within `iss`. */
  sub: string;
  cnf: { jwk: PublicJwk };
  scope?: string;
  account?: string;
  mission_s256?: string;
  tenant?: string;
}

export interface CreateAaAuthTokenInput {
  readonly iss: string;
  /** Which role issues it: a PS (`person`, three-party) or an AS (`access`, four-party). Default `person`. */
  readonly issuer?: 'person' | 'access';
  readonly aud: string;
  /** The person's PS; defaults to `iss` for a PS-issued token. */
  readonly ps?: string;
  readonly sub: string;
  readonly cnfJwk: PublicJwk;
  readonly scope?: string;
  readonly account?: string;
  readonly missionS256?: string;
  readonly tenant?: string;
  /** Default and ceiling 3600 s. */
  readonly lifetimeSeconds?: number;
  /** The mission's `expires_at`, seconds since the epoch. */
  readonly notAfter?: number;
  readonly now?: number;
  readonly jti?: string;
  /** Registered claims (RFC 7519 §10.1, OpenID Connect Core §5.1) to add. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export function createAaAuthToken(key: SigningKey, input: CreateAaAuthTokenInput): Promise<string> {
  const role = input.issuer ?? 'person';
  const ps = input.ps ?? input.iss;
  if (role === 'person' && ps !== input.iss) throw new TypeError('createAaAuthToken: a PS-issued auth token has ps = iss');
  const claims = {
    ...input.claims, [C.iss]: input.iss, [C.dwk]: AAUTH_CURRENT.wellKnown[role], [C.aud]: input.aud, [C.ps]: ps, [C.sub]: input.sub,
    [C.cnf]: { [C.jwk]: confirmationJwk(input.cnfJwk) },
  };
  return issueFitted(key, 'auth', claims, { [C.scope]: input.scope, [C.account]: input.account, [C.missionS256]: input.missionS256, [C.tenant]: input.tenant }, input);
}

export interface VerifyAaAuthTokenOptions extends CurrentVerifyOptions {
  /** The resource's own identifier (step 5); agent side: the resource it is for. */
  readonly audience: string;
  /** The key that signed the HTTP request (step 6); agent side: our own key. */
  readonly requestKey?: PublicJwk;
  /** Agent side (§Auth Token Response Verification 2): the resource token's `aud`. */
  readonly issuer?: string;
  /** Agent side (5): the `sub` of the person token we presented to that resource. */
  readonly sub?: string;
}

/**
 * §Auth Token Verification. JWT trust: 1 `typ`; 2 `dwk` is `aauth-access.json` or
 * `aauth-person.json`, key, signature; 3 `exp`/`iat`; 4 `iss` a server identifier. Request-context
 * binding: 5 `aud`; 6 `cnf.jwk` required, structurally whole, parseable, the request key; 7 `sub`
 * present — the caller then matches or establishes its record for `(iss, sub)`. Also: `jti`, `ps`
 * (= `iss` when a PS signed it), lifetime at most 1 hour, registered claims in their shape.
 */
export async function verifyAaAuthToken(token: string, options: VerifyAaAuthTokenOptions): Promise<AaAuthTokenClaims> {
  try {
    const { claims } = await verifyCommon(token, 'auth', CODE, options);
    if (options.issuer !== undefined && claims.iss !== options.issuer) {
      throw tokenError(CODE, `auth token "iss" ${JSON.stringify(claims.iss)} is not ${options.issuer}`, { field: C.iss, reason: 'mismatch', expected: options.issuer, actual: claims.iss });
    }
    requireAudience(claims, options.audience, CODE);
    const jwk = requireConfirmationKey(claims, CODE);
    requireBoundTo(jwk, options.requestKey, CODE);
    const sub = requireString(claims, C.sub, CODE);
    if (options.sub !== undefined && sub !== options.sub) throw tokenError(CODE, 'auth token "sub" is not the person named to this resource', { field: C.sub, reason: 'mismatch' });
    requireString(claims, C.ps, CODE);
    optionalServerIdentifier(claims, C.ps, CODE, options.identifiers);
    if (claims.dwk === AAUTH_CURRENT.wellKnown.person && claims[C.ps] !== claims.iss) {
      throw tokenError(CODE, 'a person server\'s auth token must have "ps" equal to "iss"', { field: C.ps, reason: 'mismatch', expected: claims.iss, actual: claims[C.ps] });
    }
    requireLifetimeAtMost(claims, AAUTH_CURRENT.lifetimes.auth, CODE);
    optionalString(claims, C.scope, CODE);
    optionalString(claims, C.account, CODE);
    optionalString(claims, C.tenant, CODE);
    optionalMissionS256(claims, CODE);
    checkRegisteredClaims(claims, CODE);
    return claims as AaAuthTokenClaims;
  } catch (err) {
    throw asCurrent(err, CODE);
  }
}
