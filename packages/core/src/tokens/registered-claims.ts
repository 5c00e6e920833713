/**
 * Registered JWT claims an auth token may carry besides the profile's own (2026-03 §Auth Token
 * Structure: any claim of the IANA JSON Web Token Claims registry, RFC 7519 §10.1, or OpenID
 * Connect Core §5.1). They are accepted and surfaced; the ones whose meaning a relying party acts
 * on must have their registered shape, so that a consumer never reads a malformed one as valid.
 * `nbf` is checked with the other time claims (`verifySignatureAndTime`).
 */
import { parseAct, type ActClaim } from '../delegation/act.js';
import { TokenError, type WireErrorCode } from '../errors.js';

export interface RegisteredClaims {
  /** RFC 7519 §4.1.5: not valid before (checked, with skew). */
  nbf?: number;
  /** OpenID Connect Core §2: when the user authenticated. */
  auth_time?: number;
  /** OpenID Connect Core §2: authentication context class. */
  acr?: string;
  /** RFC 8176 / OpenID Connect Core §2: authentication methods. */
  amr?: string[];
  /** OpenID Connect Core §2: authorized party. */
  azp?: string;
  /** RFC 8693 §4.3. */
  client_id?: string;
  /** RFC 8693 §4.1: the acting party, with earlier actors nested. */
  act?: ActClaim;
  /** RFC 8693 §4.4: who may act for the subject (shape left to the consumer). */
  may_act?: unknown;
}

function malformed(code: WireErrorCode, field: string, expected: string): TokenError {
  return new TokenError(code, `token claim "${field}" must be ${expected}`, { field, reason: 'malformed' });
}

/** Throws `code` when a registered claim is present in the wrong shape. */
export function checkRegisteredClaims(claims: Readonly<Record<string, unknown>>, code: WireErrorCode): void {
  if (claims.auth_time !== undefined && (typeof claims.auth_time !== 'number' || !Number.isFinite(claims.auth_time))) throw malformed(code, 'auth_time', 'a NumericDate');
  for (const name of ['acr', 'azp', 'client_id'] as const) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') throw malformed(code, name, 'a string');
  }
  if (claims.amr !== undefined && !(Array.isArray(claims.amr) && claims.amr.every((m) => typeof m === 'string'))) throw malformed(code, 'amr', 'an array of strings');
  try {
    parseAct(claims.act);
  } catch (cause) {
    throw new TokenError(code, `token claim "act" is malformed: ${(cause as Error).message}`, { field: 'act', reason: 'malformed', cause });
  }
}
