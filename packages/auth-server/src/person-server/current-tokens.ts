/**
 * `PsTokens` on core's current-profile token functions: agent and resource tokens are verified
 * with keys found through their `dwk` document (`KeyDiscovery` in the `aauth-current` profile, over
 * the server's guarded fetcher); person and auth tokens are signed with the Person Server's key.
 */
import { AAUTH_CURRENT, KeyDiscovery, TokenError, createAaAuthToken, createAaPersonToken, verifyAaAgentToken, verifyAaAuthToken, verifyAaResourceToken, type IssuerKeySource } from '@aauth-ts/core';
import type { RealmKeys } from '../keys/realm-keys.js';
import type { PsTokens } from './tokens.js';

export interface CurrentTokensOptions {
  readonly issuer: () => string;
  readonly keys: RealmKeys;
  /** The server's 2026-03 discovery: its guarded fetcher is shared. */
  readonly discovery: KeyDiscovery;
  readonly allowLoopback: boolean;
}

export function currentTokens(options: CurrentTokensOptions): PsTokens {
  const discovery = new KeyDiscovery(options.discovery.fetcher, { profile: 'aauth-current' });
  const identifiers = { allowLoopbackHttp: options.allowLoopback };
  // This Person Server trusts only auth tokens it issued: their key is one of its own, never fetched.
  const ownKeys: IssuerKeySource = {
    getKey(issuer, document, kid, alg) {
      const key = issuer === options.issuer() && document === AAUTH_CURRENT.wellKnown.person ? options.keys.find(kid, alg) : undefined;
      if (key === undefined) return Promise.reject(new TokenError('invalid_auth_token', `not signed by a key of this Person Server (iss ${issuer}, kid ${String(kid)})`, { field: 'kid', reason: 'unknown_key' }));
      return Promise.resolve(key);
    },
  };
  return {
    async verifyAgentToken(token, now) {
      // An agent token may name this Person Server as its `ps`: our issuer carries the realm path
      // (`{origin}/realms/{realm}`), trusted by its exact string as DESIGN.md §Identifiers has it.
      const claims = await verifyAaAgentToken(token, { keys: discovery, identifiers: { ...identifiers, exact: [options.issuer()] }, now });
      return { iss: claims.iss, sub: claims.sub, jwk: claims.cnf.jwk, exp: claims.exp, parentAgent: claims.parent_agent };
    },
    verifyResourceToken(token, binding, now) {
      return verifyAaResourceToken(token, { keys: discovery, identifiers, audience: binding.audience, agentJkt: binding.agentJkt, now });
    },
    verifyOwnAuthToken(token, audience, now) {
      return verifyAaAuthToken(token, { keys: ownKeys, identifiers: { ...identifiers, exact: [options.issuer()] }, issuer: options.issuer(), audience, now });
    },
    createPersonToken(input) {
      return createAaPersonToken(options.keys.active, {
        iss: options.issuer(), aud: input.aud, sub: input.sub, cnfJwk: input.cnfJwk,
        ...(input.missionS256 === undefined ? {} : { missionS256: input.missionS256 }),
        ...(input.tenant === undefined ? {} : { tenant: input.tenant }),
        lifetimeSeconds: input.exp - input.iat, now: input.iat, jti: input.jti,
      });
    },
    createAuthToken(input) {
      const iss = options.issuer();
      return createAaAuthToken(options.keys.active, {
        iss, issuer: 'person', aud: input.aud, ps: iss, sub: input.sub, cnfJwk: input.cnfJwk,
        ...(input.scope === undefined ? {} : { scope: input.scope }),
        ...(input.missionS256 === undefined ? {} : { missionS256: input.missionS256 }),
        ...(input.tenant === undefined ? {} : { tenant: input.tenant }),
        lifetimeSeconds: input.exp - input.iat, now: input.iat, jti: input.jti,
      });
    },
  };
}
