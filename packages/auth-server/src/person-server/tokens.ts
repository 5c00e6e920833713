/**
 * The tokens the Person Server reads and writes (draft-hardt-oauth-aauth-protocol §Agent Token,
 * §Resource Token, §Person Token, §Auth Token), through core's current-profile token functions.
 * Every failure to verify is an `AAuthError` with the draft's code for that token.
 */
import type { PublicJwk } from '@aauth-ts/core';

/** A verified `aa-agent+jwt`. */
export interface AgentClaims {
  /** The agent provider. */
  readonly iss: string;
  /** The agent identifier (`aauth:local@domain`). */
  readonly sub: string;
  readonly jwk: PublicJwk;
  readonly exp: number;
  /** Present on a sub-agent's token: its parent's agent identifier. */
  readonly parentAgent: string | undefined;
}

/** A verified `aa-resource+jwt` (signature, `typ`, `dwk`, time; the rest is the caller's). */
export interface ResourceClaims {
  readonly iss: string;
  readonly aud: string;
  readonly jti: string | undefined;
  readonly ps: string | undefined;
  readonly sub: string | undefined;
  readonly presentedJti: string | undefined;
  readonly agentJkt: string | undefined;
  readonly scope: string | undefined;
  readonly missionS256: string | undefined;
  readonly tenant: string | undefined;
  readonly iat: number;
  readonly exp: number;
}

export interface PersonTokenInput {
  readonly aud: string;
  readonly sub: string;
  readonly cnfJwk: PublicJwk;
  readonly missionS256: string | undefined;
  readonly tenant: string | undefined;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

export interface AuthTokenInput extends PersonTokenInput {
  readonly scope: string | undefined;
}

export interface PsTokens {
  verifyAgentToken(token: string, now: number): Promise<AgentClaims>;
  verifyResourceToken(token: string, now: number): Promise<ResourceClaims>;
  createPersonToken(input: PersonTokenInput): Promise<string>;
  createAuthToken(input: AuthTokenInput): Promise<string>;
}
