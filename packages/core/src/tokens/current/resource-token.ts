/**
 * Resource tokens, `typ: aa-resource+jwt` (draft-hardt-oauth-aauth-protocol §Resource Token
 * Structure, §Resource Token Verification, §Resource Challenge Verification): a resource asks the
 * person's PS (three-party) or its own AS (four-party) to authorize one agent key for a person it
 * learned from a verified person token. It carries no agent identifier: `agent_jkt` binds the key.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SigningKey } from '../../jwk/types.js';
import { AAUTH_CURRENT } from '../../profile/index.js';
import type { CommonClaims } from '../types.js';
import {
  asCurrent, issueFitted, optionalMissionS256, optionalString, requireAudience, requireString, tokenError, verifyCommon,
  type CurrentVerifyOptions,
} from './common.js';

const CODE = 'invalid_resource_token';
const EXPIRED = 'expired_resource_token';
const C = AAUTH_CURRENT.claims;

/** §Resource Token Structure `interaction`: the resource's own user-facing step. */
export interface ResourceInteraction {
  url: string;
  code: string;
}

export interface AaResourceTokenClaims extends CommonClaims {
  dwk: 'aauth-resource.json';
  /** The PS (three-party) or AS (four-party). */
  aud: string;
  jti: string;
  /** `iss` of the person token the resource verified. */
  ps: string;
  /** `sub` of that person token. */
  sub: string;
  /** `jti` of that person token. */
  presented_jti: string;
  /** RFC 7638 thumbprint of the agent's signing key. */
  agent_jkt: string;
  scope: string;
  account?: string;
  mission_s256?: string;
  tenant?: string;
  interaction?: ResourceInteraction;
}

export interface CreateAaResourceTokenInput {
  readonly iss: string;
  readonly aud: string;
  readonly ps: string;
  readonly sub: string;
  readonly presentedJti: string;
  readonly agentJkt: string;
  readonly scope: string;
  readonly account?: string;
  /** REQUIRED when the person token carried one (§Resource Token Structure). */
  readonly missionS256?: string;
  readonly tenant?: string;
  readonly interaction?: ResourceInteraction;
  /** Default and ceiling 300 s. */
  readonly lifetimeSeconds?: number;
  /** The mission's `expires_at`, seconds since the epoch: the token never outlives it. */
  readonly notAfter?: number;
  readonly now?: number;
  readonly jti?: string;
}

export function createAaResourceToken(key: SigningKey, input: CreateAaResourceTokenInput): Promise<string> {
  const claims = {
    [C.iss]: input.iss, [C.dwk]: AAUTH_CURRENT.wellKnown.resource, [C.aud]: input.aud, [C.ps]: input.ps, [C.sub]: input.sub,
    [C.presentedJti]: input.presentedJti, [C.agentJkt]: input.agentJkt, [C.scope]: input.scope,
  };
  const interaction = input.interaction === undefined ? undefined : { url: input.interaction.url, code: input.interaction.code };
  return issueFitted(key, 'resource', claims, { [C.account]: input.account, [C.missionS256]: input.missionS256, [C.tenant]: input.tenant, [C.interaction]: interaction }, input);
}

export interface VerifyAaResourceTokenOptions extends CurrentVerifyOptions {
  /** PS/AS side: our own identifier, which `aud` must equal (step 4). */
  readonly audience?: string;
  /**
   * RFC 7638 thumbprint of the key that signed the request (step 5), or of the `subagent_token`'s
   * `cnf.jwk` for a parent-mediated request; agent side: of our own key.
   */
  readonly agentJkt?: string;
  /** Agent side (§Resource Challenge Verification 3): the resource we called. */
  readonly issuer?: string;
  /** Agent side (5): our person server, and the `sub` of the person token we presented. */
  readonly ps?: string;
  readonly sub?: string;
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function expectEqual(claims: Readonly<Record<string, unknown>>, name: string, expected: string | undefined): void {
  if (expected === undefined) return;
  const actual = claims[name];
  if (typeof actual !== 'string' || !equalText(actual, expected)) {
    throw tokenError(CODE, `resource token "${name}" ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`, { field: name, reason: 'mismatch', expected, actual });
  }
}

/**
 * Steps 1–5 of §Resource Token Verification (and 3–6 of §Resource Challenge Verification on the
 * agent): `typ`; `dwk` = `aauth-resource.json`, key, signature; `exp`/`iat`; `aud`; `agent_jkt`;
 * plus the required claims present in shape. Steps 6–7 need the PS's records: see
 * `matchPersonTokenRecord`.
 */
export async function verifyAaResourceToken(token: string, options: VerifyAaResourceTokenOptions): Promise<AaResourceTokenClaims> {
  try {
    const { claims } = await verifyCommon(token, 'resource', CODE, options, EXPIRED);
    requireAudience(claims, options.audience, CODE);
    for (const name of [C.ps, C.sub, C.presentedJti, C.agentJkt, C.scope]) requireString(claims, name, CODE);
    expectEqual(claims, C.iss, options.issuer);
    expectEqual(claims, C.agentJkt, options.agentJkt);
    expectEqual(claims, C.ps, options.ps);
    expectEqual(claims, C.sub, options.sub);
    optionalString(claims, C.account, CODE);
    optionalString(claims, C.tenant, CODE);
    optionalMissionS256(claims, CODE);
    const interaction = claims[C.interaction] as Partial<ResourceInteraction> | undefined;
    if (interaction !== undefined && !(typeof interaction === 'object' && interaction !== null && typeof interaction.url === 'string' && URL.canParse(interaction.url) && new URL(interaction.url).protocol === 'https:' && typeof interaction.code === 'string' && interaction.code.length > 0)) {
      throw tokenError(CODE, 'resource token "interaction" must be {url: https URL, code}', { field: C.interaction, reason: 'malformed' });
    }
    return claims as AaResourceTokenClaims;
  } catch (err) {
    throw asCurrent(err, CODE, EXPIRED);
  }
}

/** What a PS retains of each person token it issued (§Person Token Endpoint). */
export interface PersonTokenRecord {
  readonly jti: string;
  readonly ps: string;
  readonly sub: string;
  readonly mission_s256?: string;
  readonly tenant?: string;
  readonly exp: number;
}

/**
 * §Resource Token Verification step 6 at the PS: `presented_jti` must name a retained person token
 * (else `unknown_person_token`), and `ps`, `sub`, `mission_s256` and `tenant` must equal that
 * record exactly, an omission included (else `invalid_resource_token`, reason `record_mismatch`:
 * evidence of tampering such as mission stripping, worth surfacing to operators).
 */
export function matchPersonTokenRecord(claims: AaResourceTokenClaims, record: PersonTokenRecord | undefined): void {
  if (record === undefined || record.jti !== claims.presented_jti) {
    throw tokenError('unknown_person_token', 'the person token named by "presented_jti" is not one this person server retains', { field: C.presentedJti, reason: 'unknown', actual: claims.presented_jti });
  }
  const pairs: [string, unknown, unknown][] = [[C.ps, claims.ps, record.ps], [C.sub, claims.sub, record.sub], [C.missionS256, claims.mission_s256, record.mission_s256], [C.tenant, claims.tenant, record.tenant]];
  for (const [name, actual, expected] of pairs) {
    if (actual !== expected) {
      throw tokenError(CODE, `resource token "${name}" does not match the person token it names`, { field: name, reason: 'record_mismatch', expected, actual });
    }
  }
}
