/**
 * Resource tokens, `typ: resource+jwt` (2026-03 §Resource Tokens; wire notes §2.1): a resource
 * asks an auth server to authorize one agent key. Verified by the auth server (`aud` = itself) and
 * by the agent when it receives a challenge (`iss` = the resource it called).
 */
import { timingSafeEqual } from 'node:crypto';
import { TokenError } from '../errors.js';
import { isServerIdentifier, type IdentifierPolicy } from '../identifiers.js';
import type { SigningKey } from '../jwk/types.js';
import { PROFILE } from '../profile/index.js';
import { checkAlgorithm, checkTyp, fetchIssuerKey, issueJwt, peekClaims, requireString, verifySignatureAndTime } from './jwt.js';
import type { IssuerKeySource, ResourceTokenClaims, TimeOptions } from './types.js';

const CODE = 'invalid_resource_token';

export interface CreateResourceTokenInput {
  readonly iss: string;
  /** The auth server that is to honour it. */
  readonly aud: string;
  readonly agent: string;
  readonly agentJkt: string;
  readonly scope?: string;
  readonly txn?: string;
  /** Short by design: default 300 s. */
  readonly lifetimeSeconds?: number;
  readonly now?: number;
}

export function createResourceToken(key: SigningKey, input: CreateResourceTokenInput): Promise<string> {
  const claims: Record<string, unknown> = { iss: input.iss, aud: input.aud, agent: input.agent, agent_jkt: input.agentJkt };
  if (input.scope !== undefined) claims.scope = input.scope;
  if (input.txn !== undefined) claims.txn = input.txn;
  return issueJwt(key, PROFILE.typ.resource, claims, { lifetimeSeconds: input.lifetimeSeconds ?? 300, ...(input.now === undefined ? {} : { now: input.now }) });
}

export interface VerifyResourceTokenOptions extends TimeOptions {
  readonly keys: IssuerKeySource;
  readonly identifiers?: IdentifierPolicy;
  /** Auth-server side: our issuer identifier, which `aud` must equal. */
  readonly audience?: string;
  /** Agent side: the resource we called, which `iss` must equal. */
  readonly issuer?: string;
  /** The agent identifier the token must name. */
  readonly agent?: string;
  /** RFC 7638 thumbprint of the key that signed the request (auth server) or our key (agent). */
  readonly agentJkt?: string;
  /**
   * Auth-server side: throws when `iss` is not a resource it serves. Asked right after `typ`,
   * before anything else about the token and before any fetch, so an unknown party never makes
   * the verifier fetch from a URL it chose.
   */
  readonly checkIssuer?: (iss: string) => void;
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Steps: 1 `typ`, `checkIssuer`, `alg`; 2 `iss` (expected resource, valid identifier); 3 key from
 * `{iss}/.well-known/aauth-resource.json`; 4 signature, `exp`, `iat`; 5 `aud`; 6 `agent`; 7 `agent_jkt`.
 * The payload is decoded once. Does not check `jti` reuse: the auth server keeps that state.
 */
export async function verifyResourceToken(token: string, options: VerifyResourceTokenOptions): Promise<ResourceTokenClaims> {
  const typed = checkTyp(token, PROFILE.typ.resource, CODE);
  const unverified = peekClaims(token, CODE);
  if (typeof unverified.iss === 'string') options.checkIssuer?.(unverified.iss);
  const header = checkAlgorithm(typed, CODE);
  const iss = requireString(unverified, 'iss', CODE);
  if (options.issuer !== undefined && iss !== options.issuer) {
    throw new TokenError(CODE, `resource token "iss" ${JSON.stringify(iss)} is not the resource called (${options.issuer})`, { field: 'iss', reason: 'mismatch', expected: options.issuer, actual: iss });
  }
  if (!isServerIdentifier(iss, options.identifiers)) {
    throw new TokenError(CODE, `resource token "iss" ${JSON.stringify(iss)} is not a valid resource identifier`, { field: 'iss', reason: 'invalid_identifier', actual: iss });
  }
  const key = await fetchIssuerKey(options.keys, iss, PROFILE.wellKnown.resource, header, CODE);
  const claims = await verifySignatureAndTime(token, key, header.alg, CODE, options, unverified);
  const aud = requireString(claims, 'aud', CODE);
  const agent = requireString(claims, 'agent', CODE);
  const agentJkt = requireString(claims, 'agent_jkt', CODE);
  if (options.audience !== undefined && aud !== options.audience) {
    throw new TokenError(CODE, `resource token "aud" ${JSON.stringify(aud)} is not this auth server (${options.audience})`, { field: 'aud', reason: 'mismatch', expected: options.audience, actual: aud });
  }
  if (options.agent !== undefined && agent !== options.agent) {
    throw new TokenError(CODE, `resource token "agent" ${JSON.stringify(agent)} is not the requesting agent (${options.agent})`, { field: 'agent', reason: 'mismatch', expected: options.agent, actual: agent });
  }
  if (options.agentJkt !== undefined && !equalText(agentJkt, options.agentJkt)) {
    throw new TokenError(CODE, 'resource token "agent_jkt" is not the thumbprint of the signing key', { field: 'agent_jkt', reason: 'mismatch', expected: options.agentJkt, actual: agentJkt });
  }
  if (claims.scope !== undefined && typeof claims.scope !== 'string') {
    throw new TokenError(CODE, 'resource token "scope" must be a space-separated string', { field: 'scope', reason: 'malformed' });
  }
  return claims as ResourceTokenClaims;
}
