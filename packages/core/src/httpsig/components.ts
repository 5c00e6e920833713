/**
 * Which components a request signature must cover (2026-03 §Covered Components, §Request
 * Verification step 2) and how a verifier says so.
 *
 * The draft requires `@method @authority @path signature-key` and lets a server ask for more in
 * its metadata (`additional_signature_components`). Two policies:
 *  - `strict` (the default): also `@query` when the URL has a query and `content-type
 *    content-digest` when there is a body, so no part of the request travels unsigned; published
 *    as `["@query", "content-type", "content-digest"]` (plus any extras).
 *  - `draft-minimum`: the draft's four, plus any extras the server lists. The query and the body
 *    are then not bound to the signature unless the agent covers them of its own accord.
 *
 * A listed component applies when the request has the part it names: `@query` when the URL has a
 * query, `content-type` and `content-digest` when there is a body. Other listed components (a
 * verifier's explicit extras) apply to every request.
 */
import { PROFILE } from '../profile/index.js';

export type ComponentPolicy = 'strict' | 'draft-minimum';

export const COMPONENT_POLICIES: readonly ComponentPolicy[] = Object.freeze(['strict', 'draft-minimum']);

/** Components `strict` adds to the draft's four, each when the request has the part it names. */
export const STRICT_COMPONENTS: readonly string[] = Object.freeze([PROFILE.components.query, ...PROFILE.bodyComponents]);

export function isComponentPolicy(value: unknown): value is ComponentPolicy {
  return typeof value === 'string' && (COMPONENT_POLICIES as readonly string[]).includes(value);
}

/** The `additional_signature_components` a server with this policy and these extras publishes. */
export function publishedComponents(policy: ComponentPolicy, extra: readonly string[] = []): string[] {
  const list: string[] = policy === 'strict' ? [...STRICT_COMPONENTS] : [];
  for (const name of extra) if (!list.includes(name)) list.push(name);
  return list;
}

/**
 * Does a listed component apply to this request? `@query` only with a query, the body components
 * only with a body; anything else always.
 */
export function componentApplies(name: string, url: URL, hasBody: boolean): boolean {
  const c = PROFILE.components;
  if (name === c.query) return url.search.length > 0;
  if (name === c.contentType || name === c.contentDigest) return hasBody;
  return true;
}

/** The components a verifier requires of this request: the draft's four, then the listed ones that apply. */
export function requiredComponentsFor(url: URL, hasBody: boolean, policy: ComponentPolicy, extra: readonly string[] = []): string[] {
  const list: string[] = [...PROFILE.requiredComponents];
  const listed = policy === 'strict' ? [...STRICT_COMPONENTS, ...extra] : [...extra];
  for (const name of listed) {
    if (list.includes(name)) continue;
    // Explicit extras apply to every request; strict's own three only to the part they bind.
    const conditional = STRICT_COMPONENTS.includes(name) && !extra.includes(name);
    if (!conditional || componentApplies(name, url, hasBody)) list.push(name);
  }
  return list;
}

/** RFC 9421 §2: a component identifier as we accept it from a peer (a field name or a derived `@name`). */
const COMPONENT_NAME = /^@?[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
const MAX_LISTED = 32;

/**
 * A peer's component list (metadata `additional_signature_components`, error `required_components`),
 * read defensively: only strings that are component names, at most 32. Anything else is `[]`.
 */
export function readComponentList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const names = value.filter((v): v is string => typeof v === 'string' && COMPONENT_NAME.test(v));
  return [...new Set(names)].slice(0, MAX_LISTED);
}
