/**
 * Agent tokens, `typ: aa-agent+jwt` (draft-hardt-oauth-aauth-protocol §Agent Token Structure,
 * §Agent Token Verification): an agent provider binds an agent identifier (`sub`) to the agent's
 * key (`cnf.jwk`). `ps` names the agent's person server; `parent_agent` marks a sub-agent.
 */
import { isAgentIdentifier, isServerIdentifier } from '../../identifiers.js';
import type { PublicJwk, SigningKey } from '../../jwk/types.js';
import { AAUTH_CURRENT } from '../../profile/index.js';
import type { CommonClaims } from '../types.js';
import { asCurrent, confirmationJwk, issueCurrentJwt, optionalServerIdentifier, requireBoundTo, requireConfirmationKey, requireString, tokenError, verifyCommon, type CurrentVerifyOptions } from './common.js';

const CODE = 'invalid_agent_token';
const EXPIRED = 'expired_agent_token';
const C = AAUTH_CURRENT.claims;

export interface AaAgentTokenClaims extends CommonClaims {
  dwk: 'aauth-agent.json';
  /** The agent identifier, `aauth:local@domain`. */
  sub: string;
  jti: string;
  cnf: { jwk: PublicJwk };
  /** The agent's person server. */
  ps?: string;
  /** Present on a sub-agent's token: its parent's agent identifier. */
  parent_agent?: string;
}

export interface CreateAaAgentTokenInput {
  /** The agent provider (a server identifier). */
  readonly iss: string;
  /** The agent identifier. */
  readonly sub: string;
  readonly cnfJwk: PublicJwk;
  readonly ps?: string;
  readonly parentAgent?: string;
  /** Default 3600 s; §Agent Token Structure: SHOULD NOT exceed 24 hours. */
  readonly lifetimeSeconds?: number;
  readonly now?: number;
  readonly jti?: string;
  /** Further claims (attestation and the like, §Agent Token Structure); never the ones above. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export function createAaAgentToken(key: SigningKey, input: CreateAaAgentTokenInput): Promise<string> {
  if (!isServerIdentifier(input.iss, { allowLoopbackHttp: true })) throw new TypeError(`createAaAgentToken: iss ${JSON.stringify(input.iss)} is not a server identifier`);
  if (!isAgentIdentifier(input.sub, { allowLoopbackHttp: true })) throw new TypeError(`createAaAgentToken: sub ${JSON.stringify(input.sub)} is not an agent identifier`);
  const claims: Record<string, unknown> = { ...input.claims, [C.iss]: input.iss, [C.dwk]: AAUTH_CURRENT.wellKnown.agent, [C.sub]: input.sub, [C.cnf]: { [C.jwk]: confirmationJwk(input.cnfJwk) } };
  if (input.ps !== undefined) claims[C.ps] = input.ps;
  if (input.parentAgent !== undefined) claims[C.parentAgent] = input.parentAgent;
  return issueCurrentJwt(key, 'agent', claims, { lifetimeSeconds: input.lifetimeSeconds ?? 3600, ...(input.now === undefined ? {} : { now: input.now }), ...(input.jti === undefined ? {} : { jti: input.jti }) });
}

export interface VerifyAaAgentTokenOptions extends CurrentVerifyOptions {
  /** The public key that signed the HTTP request (step 5); omitted when the caller binds it itself. */
  readonly requestKey?: PublicJwk;
}

/**
 * §Agent Token Verification: 1 `typ`; 2 `dwk` = `aauth-agent.json`, key via `{iss}/.well-known/{dwk}`
 * and `kid`, signature; 3 `exp`/`iat`; 4 `iss` a server identifier (checked before any fetch);
 * 5 `cnf.jwk` is the request key; 6 `ps` a server identifier when present; 7 `parent_agent` an agent
 * identifier when present. `sub` must be an agent identifier (§Agent Token Structure). Expiry is
 * `expired_agent_token`, everything else `invalid_agent_token` (§Token Endpoint Error Codes).
 */
export async function verifyAaAgentToken(token: string, options: VerifyAaAgentTokenOptions): Promise<AaAgentTokenClaims> {
  try {
    const { claims } = await verifyCommon(token, 'agent', CODE, options, EXPIRED);
    const sub = requireString(claims, C.sub, CODE);
    if (!isAgentIdentifier(sub, options.identifiers)) throw tokenError(CODE, `agent token "sub" ${JSON.stringify(sub)} is not an agent identifier`, { field: C.sub, reason: 'invalid_agent_identifier', actual: sub });
    const jwk = requireConfirmationKey(claims, CODE);
    requireBoundTo(jwk, options.requestKey, CODE);
    optionalServerIdentifier(claims, C.ps, CODE, options.identifiers);
    const parent = claims[C.parentAgent];
    if (parent !== undefined && !isAgentIdentifier(parent, options.identifiers)) {
      throw tokenError(CODE, `agent token "parent_agent" ${JSON.stringify(parent)} is not an agent identifier`, { field: C.parentAgent, reason: 'invalid_agent_identifier', actual: parent });
    }
    return claims as AaAgentTokenClaims;
  } catch (err) {
    throw asCurrent(err, CODE, EXPIRED);
  }
}
