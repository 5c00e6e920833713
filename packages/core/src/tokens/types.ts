import type { KeyObject } from 'node:crypto';
import type { PublicJwk } from '../jwk/types.js';
import type { RegisteredClaims } from './registered-claims.js';

/** Where a verifier gets a token issuer's public key (see `KeyDiscovery` in the fetcher). */
export interface IssuerKeySource {
  /**
   * The key with `kid` from `{issuer}/.well-known/{document}` → `jwks_uri`. Implementations refetch
   * once (rate-limited) on an unknown `kid`.
   */
  getKey(issuer: string, document: string, kid: string | undefined, alg: string): Promise<KeyObject | PublicJwk>;
  /**
   * `getKey` without a promise when none is needed: the key at once when the source's caches
   * already hold everything `getKey` would read, else `getKey`'s promise. Same key, same refusals.
   */
  getKeyNow?(issuer: string, document: string, kid: string | undefined, alg: string): KeyObject | PublicJwk | Promise<KeyObject | PublicJwk>;
}

export interface CommonClaims {
  iss: string;
  iat: number;
  exp: number;
  jti?: string;
  [claim: string]: unknown;
}

/** §Agent Tokens (2026-03): issued by an agent server to a delegate key. */
export interface AgentTokenClaims extends CommonClaims {
  /** Delegate id, stable across key rotation. */
  sub: string;
  cnf: { jwk: PublicJwk };
  aud?: string | string[];
  aud_sub?: string;
}

/** §Resource Tokens (2026-03): a resource's signed request for authorization, bound to the caller. */
export interface ResourceTokenClaims extends CommonClaims {
  /** The auth server the token is for. */
  aud: string;
  /** The agent identifier the resource saw. */
  agent: string;
  /** RFC 7638 thumbprint of the agent's signing key. */
  agent_jkt: string;
  scope?: string;
  txn?: string;
}

/**
 * §Auth Tokens (2026-03): bound to the agent key by `cnf.jwk`. §Auth Token Structure lets them
 * carry registered claims too (`act`, `auth_time`, `acr`, …), verified in their registered shape.
 */
export interface AuthTokenClaims extends CommonClaims, RegisteredClaims {
  aud: string;
  agent: string;
  cnf: { jwk: PublicJwk };
  sub?: string;
  scope?: string;
  txn?: string;
}

export interface TimeOptions {
  /** Seconds since the epoch. */
  readonly now?: number;
  /** Clock skew tolerated on `exp`/`iat`, seconds (default 60). */
  readonly skew?: number;
}
