/**
 * The tokens the Person Server reads and writes (draft-hardt-oauth-aauth-protocol §Agent Token,
 * §Resource Token, §Person Token, §Auth Token), through core's current-profile token functions.
 * Every failure to verify is an `AAuthError` with the draft's code for that token.
 */
import type { AaAuthTokenClaims, AaResourceTokenClaims, PublicJwk } from '@aauth-ts/core';

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

/** What a resource token must be bound to (§Resource Token Verification steps 4 and 5). */
export interface ResourceTokenBinding {
  /** This Person Server. */
  readonly audience: string;
  /** The thumbprint of the request key, or of the sub-agent's. */
  readonly agentJkt: string;
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
  verifyResourceToken(token: string, binding: ResourceTokenBinding, now: number): Promise<AaResourceTokenClaims>;
  /**
   * An `upstream_token` (§Upstream Token Verification steps 1–3): an `aa-auth+jwt` this Person
   * Server issued itself (`iss` = this PS, `dwk` `aauth-person.json`, signed with its own keys,
   * none fetched), unexpired, whose `aud` is `audience` (the intermediary's agent provider).
   */
  verifyOwnAuthToken(token: string, audience: string, now: number): Promise<AaAuthTokenClaims>;
  createPersonToken(input: PersonTokenInput): Promise<string>;
  createAuthToken(input: AuthTokenInput): Promise<string>;
}
