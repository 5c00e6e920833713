/**
 * Issue an auth token exactly as the contract's "Issued auth token" (2026-03 §Auth Tokens):
 * `iss`, `aud`, `agent` (the immediate caller), `cnf.jwk` (public members), `sub` when a user is
 * known, `scope`, `txn` when the resource token had one, `auth_time` with `sub`, `iat`, `exp`, `jti`. Never `act`.
 */
import { createAuthToken, type CreateAuthTokenInput, type PublicJwk } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import { tokenLifespanFor } from '../realm/agent-settings.js';
import type { EndpointResponse } from './response.js';

export interface GrantedToken {
  readonly aud: string;
  readonly agent: string;
  readonly cnfJwk: PublicJwk;
  readonly sub: string | undefined;
  readonly scopes: readonly string[];
  readonly txn: string | undefined;
  /**
   * When the user named by `sub` approved, carried unchanged through refresh and call chaining, so
   * `aauth.maxAuthAge` bounds every token derived from that approval. Only with `sub`.
   */
  readonly authTime: number | undefined;
}

export async function issueAuthToken(ctx: AuthServerContext, grant: GrantedToken, now: number): Promise<EndpointResponse> {
  const lifetime = tokenLifespanFor(ctx.realm, grant.agent);
  const input: { -readonly [K in keyof CreateAuthTokenInput]: CreateAuthTokenInput[K] } = { iss: ctx.issuer(), aud: grant.aud, agent: grant.agent, cnfJwk: grant.cnfJwk, lifetimeSeconds: lifetime, now };
  if (grant.sub !== undefined) input.sub = grant.sub;
  if (grant.scopes.length > 0) input.scope = grant.scopes.join(' ');
  if (grant.txn !== undefined) input.txn = grant.txn;
  if (grant.sub !== undefined && grant.authTime !== undefined) input.claims = { auth_time: grant.authTime };
  const token = await createAuthToken(ctx.keys.active, input);
  return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: { auth_token: token, expires_in: lifetime } };
}
