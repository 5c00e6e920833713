/**
 * Per-route requirements, ordered as the 2026-03 §Requirement Levels: pseudonym (any signed
 * request), identity (a verified agent), auth-token (authorization from a trusted auth server).
 * The current profile adds person (draft-hardt-oauth-aauth-protocol §Person Identity Access: the
 * person, asserted by a trusted Person Server, without an authorization decision).
 */
export type Requirement =
  | { readonly level: 'pseudonym'; readonly components: readonly string[] }
  | { readonly level: 'identity'; readonly components: readonly string[] }
  | { readonly level: 'person'; readonly components: readonly string[] }
  | { readonly level: 'auth-token'; readonly scopes: readonly string[]; readonly components: readonly string[]; readonly stepUp: boolean };

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
  });
}
