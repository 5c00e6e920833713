/**
 * Parse a token-endpoint body (auth-server contract, "Token request modes", check 1): a JSON
 * object (2026-03 §Token Endpoint) or, as Keycloak also accepts, `application/x-www-form-urlencoded`.
 * Parsed from the raw bytes the digest was checked over; every member must be a string; the
 * members present must name exactly one mode (a refresh carries `auth_token` and nothing of the
 * other modes, `scope` included).
 */
import { MalformedError, PROFILE, extend, type TokenRequestMembers } from '@aauth-ts/core';

export type TokenRequestMode = 'resource' | 'chain' | 'self' | 'refresh';

export interface TokenRequest extends TokenRequestMembers {
  readonly mode: TokenRequestMode;
}

const F = PROFILE.tokenRequest;
const KNOWN = [F.resourceToken, F.upstreamToken, F.authToken, F.scope, F.purpose, F.loginHint, F.tenant, F.domainHint] as const;
/** Free text is capped so a consent page and the pending store stay small. */
const MAX_TEXT = 1024;
const MAX_TOKEN = 16 * 1024;

/** Refuses bytes that are not UTF-8 rather than replacing them (no state between calls). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

function bad(message: string, field?: string): never {
  throw new MalformedError('invalid_request', message, undefined, { field, reason: 'malformed' });
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function fromJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    bad('the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('the request body must be a JSON object');
  return value as Record<string, unknown>;
}

function fromForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (name in out) bad(`form parameter "${name}" appears more than once`, name);
    out[name] = value;
  }
  return out;
}

export function parseTokenRequest(contentType: string | undefined, body: Uint8Array | undefined): TokenRequest {
  if (body === undefined || body.length === 0) bad('the token request has no body');
  const type = mediaType(contentType);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    bad('the request body is not UTF-8');
  }
  const members = type === 'application/json' ? fromJson(text)
    : type === 'application/x-www-form-urlencoded' ? fromForm(text)
      : bad(`unsupported Content-Type ${JSON.stringify(contentType ?? '')}: send application/json`, 'content-type');

  const fields: Record<string, string> = {};
  for (const name of KNOWN) {
    const value = members[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') bad(`"${name}" must be a string`, name);
    if (value.length === 0) bad(`"${name}" must not be empty`, name);
    const cap = name === F.resourceToken || name === F.upstreamToken || name === F.authToken ? MAX_TOKEN : MAX_TEXT;
    if (value.length > cap) bad(`"${name}" is longer than ${cap} characters`, name);
    fields[name] = value;
  }
  const has = (name: string): boolean => fields[name] !== undefined;
  let mode: TokenRequestMode;
  if (has(F.authToken)) {
    // A refresh repeats the grant as it was (same aud, sub, scope). RFC 6749 §6 lets a refresh
    // narrow the scope; this server does not offer that, so a scope here is refused rather than
    // silently ignored.
    if (has(F.resourceToken) || has(F.upstreamToken) || has(F.scope)) {
      bad(`"${F.authToken}" (refresh) cannot be combined with "${F.resourceToken}", "${F.upstreamToken}" or "${F.scope}"`, F.authToken);
    }
    mode = 'refresh';
  } else if (has(F.resourceToken)) {
    mode = has(F.upstreamToken) ? 'chain' : 'resource';
  } else if (has(F.upstreamToken)) {
    bad(`"${F.upstreamToken}" needs a "${F.resourceToken}"`, F.upstreamToken);
  } else if (has(F.scope)) {
    mode = 'self';
  } else {
    bad(`the request names no mode: send "${F.resourceToken}", "${F.scope}" or "${F.authToken}"`);
  }
  return extend({ mode }, fields) as TokenRequest;
}
