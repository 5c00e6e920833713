/**
 * The `AAuth-Requirement` response header (draft-hardt-oauth-aauth-protocol §AAuth-Requirement
 * Header Structure, §Requirement Values, §Interaction Required, §Interaction Code Format): an
 * RFC 8941 Dictionary whose `requirement` member is a Token, with the requirement's data as
 * parameters on it. Parsing is strict about what the draft defines (a value it does not define, a
 * missing or ill-typed parameter, an interaction `url` that is not https or carries a query or
 * fragment, a `code` outside Crockford base32) and ignores what the draft says to ignore (unknown
 * parameters, other dictionary members). Every refusal is a `RequirementError` with a stable `failure`.
 */
import { randomInt } from 'node:crypto';
import { serializeDictionary, Token, type BareItem, type Parameters } from 'structured-headers';
import { MalformedError } from '../errors.js';
import { DuplicateKeyError, parseUniqueDictionary } from '../lib/dictionary.js';
import { isLoopbackHost, type IdentifierPolicy } from '../identifiers.js';
import { AAUTH_CURRENT, type RequirementValue } from '../profile/index.js';

export type Requirement =
  | { readonly requirement: 'agent-token' }
  | { readonly requirement: 'person-token' }
  | { readonly requirement: 'auth-token'; readonly resourceToken: string }
  | { readonly requirement: 'interaction'; readonly url: string; readonly code: string }
  | { readonly requirement: 'approval' }
  | { readonly requirement: 'clarification' }
  | { readonly requirement: 'claims' };

/** Why a header was refused; stable, for callers and tests. */
export type RequirementFailure =
  | 'not_a_dictionary'
  | 'duplicate_member'
  | 'missing_requirement'
  | 'requirement_not_a_token'
  | 'unsupported_requirement'
  | 'missing_parameter'
  | 'invalid_parameter';

export class RequirementError extends MalformedError {
  override readonly name = 'RequirementError';
  readonly failure: RequirementFailure;
  constructor(failure: RequirementFailure, message: string, raw: string | undefined, field?: string, actual?: unknown) {
    super('invalid_request', message, raw, { reason: failure, ...(field === undefined ? {} : { field }), ...(actual === undefined ? {} : { actual }) });
    this.failure = failure;
  }
}

const R = AAUTH_CURRENT.requirement;

export function isRequirementValue(value: unknown): value is RequirementValue {
  return typeof value === 'string' && (R.values as readonly string[]).includes(value);
}

/** §Interaction Code Format: hyphens stripped, upper-cased, Crockford aliases folded (I, L → 1; O → 0). */
export function normalizeInteractionCode(code: string): string {
  return code.replace(/-/g, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
}

/** At least 8 Crockford base32 symbols once hyphens are stripped (40 bits, §Interaction Code Format). */
export function isInteractionCode(code: unknown): code is string {
  if (typeof code !== 'string') return false;
  const symbols = code.replace(/-/g, '');
  const alphabet = AAUTH_CURRENT.interactionCode.alphabet;
  return symbols.length >= AAUTH_CURRENT.interactionCode.minSymbols && [...symbols].every((ch) => alphabet.includes(ch));
}

/** A fresh code: `symbols` (default 8) random Crockford symbols, grouped by four with hyphens. */
export function generateInteractionCode(symbols: number = AAUTH_CURRENT.interactionCode.minSymbols): string {
  const alphabet = AAUTH_CURRENT.interactionCode.alphabet;
  const raw = Array.from({ length: Math.max(symbols, AAUTH_CURRENT.interactionCode.minSymbols) }, () => alphabet[randomInt(alphabet.length)]).join('');
  return raw.replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * §Interaction Required `url`: https, no query, no fragment. With `allowLoopbackHttp` (the
 * development relaxation of `IdentifierPolicy`, never a default) also `http` on a loopback host.
 */
export function isInteractionUrl(url: unknown, policy: IdentifierPolicy = {}): url is string {
  if (typeof url !== 'string' || !URL.canParse(url) || url.includes('?') || url.includes('#')) return false;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || (policy.allowLoopbackHttp === true && parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname));
}

/**
 * A resource token is a signed JWT (§Resource Tokens) in JWS Compact Serialization (RFC 7515
 * §7.1): three base64url segments, none empty (an empty signature would be an unsecured JWT).
 */
const SIGNED_COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
function isSignedCompactJws(value: string): boolean {
  return SIGNED_COMPACT_JWS.test(value);
}

function stringParam(params: Parameters, name: string, raw: string | undefined, valid: (v: string) => boolean): string {
  const value = params.get(name);
  if (value === undefined) throw new RequirementError('missing_parameter', `AAuth-Requirement parameter "${name}" is missing`, raw, name);
  if (typeof value !== 'string' || !valid(value)) throw new RequirementError('invalid_parameter', `AAuth-Requirement parameter "${name}" is not valid`, raw, name, value);
  return value;
}

function build(requirement: string, params: Parameters, raw: string | undefined, policy: IdentifierPolicy): Requirement {
  switch (requirement) {
    case 'agent-token':
    case 'person-token':
    case 'approval':
    case 'clarification':
    case 'claims':
      return { requirement };
    case 'auth-token':
      return { requirement, resourceToken: stringParam(params, R.params.resourceToken, raw, isSignedCompactJws) };
    case 'interaction':
      return { requirement, url: stringParam(params, R.params.url, raw, (v) => isInteractionUrl(v, policy)), code: stringParam(params, R.params.code, raw, isInteractionCode) };
    default:
      throw new RequirementError('unsupported_requirement', `unsupported AAuth requirement "${requirement}"`, raw, R.key, requirement);
  }
}

export function parseRequirement(header: string, policy: IdentifierPolicy = {}): Requirement {
  let dict: ReturnType<typeof parseUniqueDictionary>;
  try {
    dict = parseUniqueDictionary(header);
  } catch (cause) {
    if (cause instanceof DuplicateKeyError) throw new RequirementError('duplicate_member', 'AAuth-Requirement names a member twice', header);
    throw new RequirementError('not_a_dictionary', 'AAuth-Requirement is not an RFC 8941 dictionary', header);
  }
  const member = dict.get(R.key);
  if (member === undefined) throw new RequirementError('missing_requirement', `AAuth-Requirement has no "${R.key}" member`, header, R.key);
  const [value, params] = member;
  if (!(value instanceof Token)) throw new RequirementError('requirement_not_a_token', `AAuth-Requirement "${R.key}" must be a token`, header, R.key);
  return build(value.toString(), params, header, policy);
}

/** Build an `AAuth-Requirement` value; the same checks as parsing, so we never send what we would refuse. */
export function serializeRequirement(requirement: Requirement, policy: IdentifierPolicy = {}): string {
  const params = new Map<string, BareItem>();
  if (requirement.requirement === 'auth-token') params.set(R.params.resourceToken, requirement.resourceToken);
  else if (requirement.requirement === 'interaction') {
    params.set(R.params.url, requirement.url);
    params.set(R.params.code, requirement.code);
  }
  if (!isRequirementValue(requirement.requirement)) throw new RequirementError('unsupported_requirement', `unsupported AAuth requirement "${String(requirement.requirement)}"`, undefined, R.key);
  build(requirement.requirement, params, undefined, policy);
  return serializeDictionary(new Map([[R.key, [new Token(requirement.requirement), params]]]));
}

/** §Requirement Values: the status code a requirement is sent with. */
export function requirementStatus(requirement: RequirementValue): number {
  return R.status[requirement];
}
