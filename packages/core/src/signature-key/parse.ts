/**
 * Parse `Signature-Key` (draft-hardt-httpbis-signature-key, as used by the 2026-03 profile; wire
 * notes §1.1/§1.3): an RFC 8941 dictionary whose key is the signature label and whose member is a
 * token naming the scheme, with the scheme's data as parameters.
 */
import { Token, type BareItem, type Parameters } from 'structured-headers';
import { MalformedError, SignatureError } from '../errors.js';
import type { PublicJwk } from '../jwk/types.js';
import { DuplicateKeyError, parseUniqueDictionary } from '../lib/dictionary.js';
import { PROFILE } from '../profile/index.js';
import { rfc8941FromLegacy } from './legacy-form.js';
import type { SignatureKey } from './types.js';

const HWK_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'alg'] as const;

function stringParam(params: Parameters, name: string, raw: string, required: true): string;
function stringParam(params: Parameters, name: string, raw: string, required: false): string | undefined;
function stringParam(params: Parameters, name: string, raw: string, required: boolean): string | undefined {
  const value: BareItem | undefined = params.get(name);
  if (value === undefined) {
    if (required) throw new MalformedError('invalid_request', `Signature-Key parameter "${name}" is missing`, raw, { field: name, reason: 'missing' });
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new MalformedError('invalid_request', `Signature-Key parameter "${name}" must be a string`, raw, { field: name, reason: 'malformed' });
  }
  return value;
}

const JWKS_URI = PROFILE.signatureKeyJwksUri;

/**
 * The `jwks_uri` document name: `well-known` (Signature-Key draft at f22a52e, §JWKS URI Discovery),
 * or a later draft's alias for it. Two names for one parameter that disagree are refused rather than
 * one silently winning.
 */
function wellKnownParam(params: Parameters, raw: string): string | undefined {
  const values = new Set<string>();
  for (const name of [JWKS_URI.wellKnown, ...JWKS_URI.wellKnownAliases]) {
    const value = stringParam(params, name, raw, false);
    if (value !== undefined) values.add(value);
  }
  if (values.size > 1) {
    throw new MalformedError('invalid_request', `Signature-Key parameters "${[JWKS_URI.wellKnown, ...JWKS_URI.wellKnownAliases].join('" and "')}" name different documents`, raw, { field: JWKS_URI.wellKnown, reason: 'conflict' });
  }
  return values.values().next().value;
}

function memberToKey(label: string, scheme: string, params: Parameters, raw: string): SignatureKey {
  switch (scheme) {
    case 'hwk': {
      const jwk: PublicJwk = { kty: stringParam(params, 'kty', raw, true) };
      for (const name of HWK_MEMBERS) {
        const value = stringParam(params, name, raw, false);
        if (value !== undefined) jwk[name] = value;
      }
      return { label, scheme, jwk };
    }
    case 'jwks_uri':
      return { label, scheme, id: stringParam(params, JWKS_URI.id, raw, true), wellKnown: wellKnownParam(params, raw), kid: stringParam(params, JWKS_URI.kid, raw, true) };
    case 'jwt':
      return { label, scheme, jwt: stringParam(params, 'jwt', raw, true) };
    case 'x509': {
      const x5t = params.get('x5t');
      if (!(x5t instanceof ArrayBuffer)) {
        throw new MalformedError('invalid_request', 'Signature-Key parameter "x5t" must be a byte sequence', raw, { field: 'x5t', reason: 'malformed' });
      }
      return { label, scheme, x5u: stringParam(params, 'x5u', raw, true), x5t: new Uint8Array(x5t) };
    }
    default:
      throw new SignatureError('invalid_signature', `unsupported Signature-Key scheme "${scheme}"`, { field: 'signature-key', reason: 'unsupported_scheme', actual: scheme });
  }
}

/** Every member of the header, in order. Throws `MalformedError`/`SignatureError` only. */
export function parseSignatureKeys(header: string): SignatureKey[] {
  let dict: ReturnType<typeof parseUniqueDictionary>;
  try {
    dict = parseUniqueDictionary(header);
  } catch (cause) {
    if (cause instanceof DuplicateKeyError) {
      // Wire notes §1.2: one member per label. RFC 8941 keeps the last duplicate; we refuse the ambiguity.
      throw new MalformedError('invalid_request', 'Signature-Key names the same label more than once', header, { field: 'signature-key', reason: 'duplicate_label' });
    }
    const legacy = rfc8941FromLegacy(header);
    if (legacy === undefined) throw new MalformedError('invalid_request', 'Signature-Key is not an RFC 8941 dictionary', header, { field: 'signature-key', reason: 'malformed', cause });
    dict = parseUniqueDictionary(legacy);
  }
  const keys: SignatureKey[] = [];
  for (const [label, member] of dict) {
    const [value, params] = member;
    if (!(value instanceof Token)) {
      throw new MalformedError('invalid_request', `Signature-Key member "${label}" must be a token naming the scheme`, header, { field: label, reason: 'malformed' });
    }
    keys.push(memberToKey(label, value.toString(), params, header));
  }
  return keys;
}

/**
 * The member for `label` (wire notes §1.2: labels correlate by exact name across Signature-Input,
 * Signature and Signature-Key; a missing member fails verification of that label).
 */
export function parseSignatureKey(header: string, label: string): SignatureKey {
  const key = parseSignatureKeys(header).find((k) => k.label === label);
  if (!key) {
    throw new SignatureError('invalid_signature', `Signature-Key has no member for signature label "${label}"`, { field: 'signature-key', reason: 'label_mismatch', expected: label });
  }
  return key;
}

/**
 * `parseSignatureKeys` remembered by the raw header text: the header is stable for an agent (the
 * same hwk key or token on every request), unlike `Signature-Input`/`Signature`, which change
 * with `created`, so it is parsed once however many times a request or later requests ask.
 * Bounded; entries are frozen so no caller can alter another request's view.
 */
const parsedHeaders = new Map<string, readonly SignatureKey[]>();
const PARSED_HEADERS_MAX = 1024;

export function signatureKeysOf(header: string): readonly SignatureKey[] {
  const hit = parsedHeaders.get(header);
  if (hit) return hit;
  const keys = Object.freeze(parseSignatureKeys(header).map((k) => Object.freeze(k.scheme === 'hwk' ? { ...k, jwk: Object.freeze({ ...k.jwk }) } : k)));
  if (parsedHeaders.size >= PARSED_HEADERS_MAX) parsedHeaders.delete(parsedHeaders.keys().next().value as string);
  parsedHeaders.set(header, keys);
  return keys;
}
