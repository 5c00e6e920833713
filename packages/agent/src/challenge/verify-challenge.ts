/**
 * Answering a `401` challenge, first half (2026-03 §Challenge, §Resource Tokens; wire notes §2.1,
 * §7.6): decode `AAuth: require=auth-token; resource-token="…"; auth-server="…"` and verify the
 * resource token before trusting anything in it:
 *  1. `typ` `resource+jwt`, signature with the key from `{iss}/.well-known/aauth-resource.json`;
 *  2. `iss` is the resource we called (not a third party's token replayed at us);
 *  3. `agent` is us and `agent_jkt` is our key's thumbprint;
 *  4. `aud` is the auth server the challenge names, and that name is one the agent allows: one
 *     of `allowedAuthServers` when given (exact strings), else an acceptable identifier.
 * The agent then goes to that auth server and no other (§Token Endpoint: MUST NOT substitute).
 *
 * Does not check the scope: the auth server decides what it grants.
 */
import {
  TokenError, isServerIdentifier, parseChallenge, verifyResourceToken,
  type Challenge, type IdentifierPolicy, type IssuerKeySource, type ResourceTokenClaims,
} from '@aauth-ts/core';
import type { RequestSigner } from '../identity/agent-session.js';

export interface AuthTokenChallenge {
  readonly challenge: Extract<Challenge, { require: 'auth-token' }>;
  readonly resourceToken: string;
  readonly claims: ResourceTokenClaims;
  readonly authServer: string;
  readonly resource: string;
  /** The resource token's `scope` ('' when absent). */
  readonly scope: string;
}

export interface VerifyChallengeOptions {
  /** Identifier of the resource we called. */
  readonly resource: string;
  readonly signer: RequestSigner;
  readonly keys: IssuerKeySource;
  /** For the resource token's `iss` (development: loopback http). */
  readonly identifiers?: IdentifierPolicy;
  /** For the `auth-server` value when no allow-list is given (an `https` origin; loopback http in development). */
  readonly authServers?: IdentifierPolicy;
  /**
   * The only auth servers the agent goes to, by exact issuer string (Keycloak issuers carry a
   * `/realms/{realm}` path). When given, `authServers` is not consulted.
   */
  readonly allowedAuthServers?: readonly string[];
  readonly now?: number;
}

/** Parse an `AAuth` header (a `MalformedError` when it does not parse). */
export function readChallenge(header: string): Challenge {
  return parseChallenge(header);
}

export async function verifyAuthTokenChallenge(challenge: Challenge, options: VerifyChallengeOptions): Promise<AuthTokenChallenge> {
  if (challenge.require !== 'auth-token') throw new TypeError(`verifyAuthTokenChallenge: require=${challenge.require} is not an auth-token challenge`);
  const claims = await verifyResourceToken(challenge.resourceToken, {
    keys: options.keys,
    issuer: options.resource,
    agent: options.signer.agentId,
    agentJkt: options.signer.thumbprint,
    ...(options.identifiers === undefined ? {} : { identifiers: options.identifiers }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  if (claims.aud !== challenge.authServer) {
    throw new TokenError('invalid_resource_token', `the challenge names auth server ${challenge.authServer} but the resource token is for ${claims.aud}`, { field: 'aud', reason: 'mismatch', expected: challenge.authServer, actual: claims.aud });
  }
  if (options.allowedAuthServers !== undefined) {
    if (!options.allowedAuthServers.includes(challenge.authServer)) {
      throw new TokenError('invalid_resource_token', `auth server ${JSON.stringify(challenge.authServer)} is not one of the agent's authServers`, { field: 'auth-server', reason: 'not_allowed', expected: options.allowedAuthServers, actual: challenge.authServer });
    }
  } else if (!isServerIdentifier(challenge.authServer, options.authServers)) {
    throw new TokenError('invalid_resource_token', `auth server ${JSON.stringify(challenge.authServer)} is not an acceptable issuer identifier (list a Keycloak issuer in authServers)`, { field: 'auth-server', reason: 'invalid_identifier', actual: challenge.authServer });
  }
  return { challenge, resourceToken: challenge.resourceToken, claims, authServer: challenge.authServer, resource: claims.iss, scope: claims.scope ?? '' };
}
