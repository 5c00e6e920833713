/**
 * Agent tokens, `typ: agent+jwt` (2026-03 §Agent Tokens; wire notes §2.1): an agent server vouches
 * for a delegate key. The agent identifier is the token's `iss`.
 */
import { TokenError } from '../errors.js';
import { isServerIdentifier, type IdentifierPolicy } from '../identifiers.js';
import { toPublicJwk } from '../jwk/keys.js';
import type { PublicJwk, SigningKey } from '../jwk/types.js';
import { PROFILE } from '../profile/index.js';
import { checkHeader, fetchIssuerKey, issueJwt, peekClaims, requireCnfJwk, requireString, verifySignatureAndTime } from './jwt.js';
import type { AgentTokenClaims, IssuerKeySource, TimeOptions } from './types.js';

const CODE = 'invalid_agent_token';

export interface CreateAgentTokenInput {
  /** Agent server identifier (becomes the agent id). */
  readonly iss: string;
  /** Delegate identifier, stable across the delegate's key rotations. */
  readonly sub: string;
  /** The delegate's public key. */
  readonly cnfJwk: PublicJwk;
  readonly aud?: string | readonly string[];
  readonly lifetimeSeconds?: number;
  readonly now?: number;
  readonly claims?: Readonly<Record<string, unknown>>;
}

export function createAgentToken(key: SigningKey, input: CreateAgentTokenInput): Promise<string> {
  const claims: Record<string, unknown> = { ...input.claims, iss: input.iss, sub: input.sub, cnf: { jwk: toPublicJwk(input.cnfJwk) } };
  if (input.aud !== undefined) claims.aud = input.aud;
  return issueJwt(key, PROFILE.typ.agent, claims, { lifetimeSeconds: input.lifetimeSeconds ?? 3600, ...(input.now === undefined ? {} : { now: input.now }) });
}

export interface VerifyAgentTokenOptions extends TimeOptions {
  readonly keys: IssuerKeySource;
  readonly identifiers?: IdentifierPolicy;
  /** This server's identifier: if the token has `aud`, it must list it. */
  readonly audience?: string;
}

/**
 * Steps: 1 `typ`/`alg`; 2 `iss` is a server identifier; 3 key from `{iss}/.well-known/aauth-agent.json`;
 * 4 signature, `exp`, `iat`; 5 `sub`, `cnf.jwk`; 6 `aud` (if present) lists us.
 * Does not check that `cnf.jwk` signed the HTTP request: the caller binds it.
 */
export async function verifyAgentToken(token: string, options: VerifyAgentTokenOptions): Promise<AgentTokenClaims> {
  const header = checkHeader(token, PROFILE.typ.agent, CODE);
  const unverified = peekClaims(token, CODE);
  const iss = requireString(unverified, 'iss', CODE);
  if (!isServerIdentifier(iss, options.identifiers)) {
    throw new TokenError(CODE, `agent token "iss" ${JSON.stringify(iss)} is not a valid agent server identifier`, { field: 'iss', reason: 'invalid_identifier', actual: iss });
  }
  const key = await fetchIssuerKey(options.keys, iss, PROFILE.wellKnown.agent, header, CODE);
  const claims = await verifySignatureAndTime(token, key, header.alg, CODE, options, unverified);
  requireString(claims, 'sub', CODE);
  requireCnfJwk(claims, CODE);
  if (claims.aud !== undefined && options.audience !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(options.audience)) {
      throw new TokenError(CODE, `agent token "aud" does not list ${options.audience}`, { field: 'aud', reason: 'mismatch', expected: options.audience, actual: claims.aud });
    }
  }
  return claims as AgentTokenClaims;
}
