/**
 * What a token carried from elsewhere may and may not do (auth-server contract, "Chained and
 * exchanged grants"). Pure functions: no I/O, no clock beyond the `now` passed in.
 *
 *  - An agent's own token is not an upstream (or subject) token: call chaining lets an
 *    intermediary act for a user who reached it through *another* agent (2026-03 §Call Chaining).
 *    A token whose `agent` or `act` names the requester, or whose `aud` is its own `agent`
 *    (self-access), would let an agent turn one narrow approval into tokens for any resource.
 *  - A user's authorization ages: `auth_time` (OpenID Connect Core §2), or `iat` when a token
 *    naming a user has none, is carried into every token derived from it, and nothing naming that
 *    user is derived once it is older than the realm's `aauth.maxAuthAge` (RFC 9700 §4.14.2: a
 *    refresh must not outlive the grant indefinitely).
 */
import { actChain, parseAct } from '@aauth-ts/core';
import type { RealmModel } from '../realm/types.js';

/** Tolerated clock skew on `auth_time`, seconds. */
const SKEW = 60;

/** Why `token` is the requester's own rather than another agent's, or undefined when it is not. */
export function ownTokenReason(requester: string, token: { readonly aud: string; readonly agent?: string | undefined; readonly act?: unknown }): string | undefined {
  if (token.agent !== undefined && token.aud === token.agent) return `it is a self-access token of ${token.agent} (aud = agent), not a token another agent was given`;
  if (token.agent === requester) return `it was issued to ${requester} itself; call chaining carries a user from another agent`;
  let actors: string[];
  try {
    actors = actChain(parseAct(token.act));
  } catch {
    return 'its "act" is malformed';
  }
  if (actors.includes(requester)) return `${requester} already acted on it ("act"); a chain does not loop back`;
  return undefined;
}

/** `auth_time` when the token has a numeric one, else its `iat`. */
export function authTimeOf(claims: { readonly iat?: unknown; readonly auth_time?: unknown }): number | undefined {
  const t = typeof claims.auth_time === 'number' ? claims.auth_time : claims.iat;
  return typeof t === 'number' && Number.isFinite(t) ? Math.floor(t) : undefined;
}

/** Why an authorization made at `authTime` can no longer be carried on, or undefined when it can. */
export function authAgeReason(realm: RealmModel, authTime: number | undefined, now: number): string | undefined {
  if (authTime === undefined) return 'it carries no authorization time ("auth_time")';
  if (authTime > now + SKEW) return 'its "auth_time" is in the future';
  if (now - authTime > realm.settings.maxAuthAge) return `the user's authorization ("auth_time") is older than ${realm.settings.maxAuthAge} s (aauth.maxAuthAge); ask the user again`;
  return undefined;
}
