/**
 * Per-route requirements, ordered as the 2026-03 §Requirement Levels: pseudonym (any signed
 * request), identity (a verified agent), auth-token (authorization from a trusted auth server).
 * The current profile adds person (draft-hardt-oauth-aauth-protocol §Person Identity Access: the
 * person, asserted by a trusted Person Server, without an authorization decision).
 */
import type { ChainPolicy } from '@aauth-ts/core';

export type Requirement =
  | { readonly level: 'pseudonym'; readonly components: readonly string[] }
  | { readonly level: 'identity'; readonly components: readonly string[] }
  | { readonly level: 'person'; readonly components: readonly string[] }
  | { readonly level: 'auth-token'; readonly scopes: readonly string[]; readonly components: readonly string[]; readonly stepUp: boolean; readonly delegated?: DelegatedRequirement };

/**
 * A route's acceptance of RFC 8693 delegated tokens (`at+jwt` with `act`, issued by token
 * exchange), opt-in per route. The token itself is verified with every request (issuer among the
 * resource's `trustedIssuers`, signature, `aud` = this resource, `cnf.jwk` = the signing key,
 * `act` well formed, its outermost actor = `client_id`); these options limit the chain.
 */
export interface DelegatedRouteOptions {
  /** Only delegated tokens: an auth token is answered with `require=delegated-token`. Default false (either). */
  readonly only?: boolean;
  /** Issuers whose delegated tokens this route takes (each also in the resource's `trustedIssuers`). Default: all of those. */
  readonly issuers?: readonly string[];
  /** The auth server named in `require=delegated-token` (where to exchange). Default: the resource's `authServer`. */
  readonly authServer?: string;
  /** Most actors in the chain (the caller included). */
  readonly maxDepth?: number;
  /** Allowed actors per position, outermost (the caller) first; `'*'` (or a position past the end) allows any. */
  readonly actors?: readonly (readonly string[] | '*')[];
  /**
   * The original subject: `user` (default: any) when `sub` is someone other than the first actor,
   * `agent` when the chain began with an agent acting for itself (`sub` = the innermost actor).
   */
  readonly subjectType?: 'user' | 'agent';
  /** Asked last, with the whole chain (`ChainPolicy` from `@aauth-ts/core`, or `opaChainPolicy` from `@aauth-ts/policy-opa`). */
  readonly policy?: ChainPolicy;
}

export interface DelegatedRequirement {
  readonly only: boolean;
  readonly issuers: readonly string[] | undefined;
  readonly authServer: string | undefined;
  readonly maxDepth: number | undefined;
  readonly actors: readonly (readonly string[] | '*')[];
  readonly subjectType: 'user' | 'agent' | undefined;
  readonly policy: ChainPolicy | undefined;
}

export interface SignatureRequirementOptions {
  /** Components this route needs covered beyond the profile's and the metadata's (e.g. `content-digest`). */
  readonly components?: readonly string[];
}

export interface AuthRequirementOptions extends SignatureRequirementOptions {
  /** Scopes the auth token must grant: an array, or a space-separated string as on the wire. */
  readonly scope?: string | readonly string[];
  /**
   * When a valid auth token lacks a scope: `true` (default) answers `401 require=auth-token` with a
   * resource token for the route's scope, so the agent can obtain it (2026-03 §Scopes: "a new auth
   * token replaces the previous one"); `false` answers `403 insufficient_scope`.
   */
  readonly stepUp?: boolean;
  /** Accept delegated tokens on this route too (or only them); see `DelegatedRouteOptions`. */
  readonly delegated?: DelegatedRouteOptions;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3 scope-token

/** Split and check a scope value; a malformed scope is a programming error (`TypeError`). */
export function normalizeScopes(scope: string | readonly string[] | undefined, where: string): string[] {
  if (scope === undefined) return [];
  const list = typeof scope === 'string' ? scope.split(' ').filter((s) => s.length > 0) : [...scope];
  for (const s of list) {
    if (typeof s !== 'string' || !SCOPE_TOKEN.test(s)) throw new TypeError(`${where}: ${JSON.stringify(s)} is not a valid scope token (RFC 6749 §3.3)`);
  }
  return [...new Set(list)];
}

/** Scopes of a space-separated wire value (an auth token's `scope`). */
export function parseScopeClaim(scope: unknown): string[] {
  return typeof scope === 'string' ? scope.split(' ').filter((s) => s.length > 0) : [];
}

function components(options: SignatureRequirementOptions | undefined, where: string): readonly string[] {
  const list = options?.components ?? [];
  if (!Array.isArray(list) || list.some((c) => typeof c !== 'string' || c.length === 0)) throw new TypeError(`${where}: "components" must be an array of component names`);
  return Object.freeze([...list]);
}

export function signatureRequirement(options?: SignatureRequirementOptions): Requirement {
  return Object.freeze({ level: 'pseudonym', components: components(options, 'requireSignature') });
}

export function identityRequirement(options?: SignatureRequirementOptions): Requirement {
  return Object.freeze({ level: 'identity', components: components(options, 'requireIdentity') });
}

export function personRequirement(options?: SignatureRequirementOptions): Requirement {
  return Object.freeze({ level: 'person', components: components(options, 'requirePerson') });
}

export function authRequirement(options?: AuthRequirementOptions): Requirement {
  if (options?.stepUp !== undefined && typeof options.stepUp !== 'boolean') throw new TypeError('requireAuth: "stepUp" must be a boolean');
  return Object.freeze({
    level: 'auth-token',
    scopes: Object.freeze(normalizeScopes(options?.scope, 'requireAuth')),
    components: components(options, 'requireAuth'),
    stepUp: options?.stepUp ?? true,
    ...(options?.delegated === undefined ? {} : { delegated: delegatedRequirement(options.delegated) }),
  });
}

function stringList(value: unknown, where: string): readonly string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) throw new TypeError(`requireAuth: "delegated.${where}" must be an array of non-empty strings`);
  return Object.freeze([...value as string[]]);
}

function delegatedRequirement(options: DelegatedRouteOptions): DelegatedRequirement {
  if (typeof options !== 'object' || options === null) throw new TypeError('requireAuth: "delegated" must be an object');
  const { only, issuers, authServer, maxDepth, actors, subjectType, policy } = options;
  if (only !== undefined && typeof only !== 'boolean') throw new TypeError('requireAuth: "delegated.only" must be a boolean');
  if (authServer !== undefined && typeof authServer !== 'string') throw new TypeError('requireAuth: "delegated.authServer" must be an issuer URL');
  if (maxDepth !== undefined && (!Number.isInteger(maxDepth) || maxDepth < 1)) throw new TypeError('requireAuth: "delegated.maxDepth" must be a positive integer');
  if (actors !== undefined && !Array.isArray(actors)) throw new TypeError('requireAuth: "delegated.actors" must be an array (one entry per position)');
  if (subjectType !== undefined && subjectType !== 'user' && subjectType !== 'agent') throw new TypeError('requireAuth: "delegated.subjectType" must be "user" or "agent"');
  if (policy !== undefined && typeof policy !== 'function') throw new TypeError('requireAuth: "delegated.policy" must be a ChainPolicy function');
  return Object.freeze({
    only: only ?? false,
    issuers: issuers === undefined ? undefined : stringList(issuers, 'issuers'),
    authServer,
    maxDepth,
    actors: Object.freeze((actors ?? []).map((position, i) => (position === '*' ? '*' : stringList(position, `actors[${i}]`)))),
    subjectType,
    policy,
  });
}
