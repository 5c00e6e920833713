/**
 * `Signature-Error`, `Accept-Signature-Scheme` and `Accept-Signature-Alg`
 * (draft-hardt-oauth-aauth-protocol §Authentication Errors, §Verification (Server),
 * §Signature-Key Scheme Rejection; the Signature-Key draft's §Signature-Error HTTP Response Header).
 * `Signature-Error` is an RFC 8941 Dictionary with a Token `error` and, for `invalid_input`, an
 * Inner List of Strings `required_input`. The two Accept headers are Lists of Tokens, exactly the
 * set the server accepts. The problem `type` is `urn:ietf:params:sig-error:<error>` (Signature-Key
 * draft §Response Body); AAuth receivers never rely on it.
 */
import { parseList, serializeDictionary, serializeList, Token, type Dictionary, type InnerList, type Item } from 'structured-headers';
import { MalformedError, type AAuthError } from '../errors.js';
import { FetchError, TokenError } from '../errors.js';
import { DuplicateKeyError, parseUniqueDictionary } from '../lib/dictionary.js';
import { ACCEPT_SIGNATURE_ALGS } from '../profile/accept-signature-algs.js';
import { AAUTH_CURRENT, type SignatureErrorCode } from '../profile/index.js';
import { problemResponse, SignatureRejection, type ProblemResponse } from './problem.js';

const H = AAUTH_CURRENT.headers;
const M = AAUTH_CURRENT.signatureErrorMembers;

export interface SignatureErrorHeader {
  /** A code of the Signature Error Code registry, or one we do not know (kept as received). */
  readonly error: string;
  /** `invalid_input`: the covered components the server requires. */
  readonly requiredInput?: readonly string[];
}

export function isSignatureErrorCode(value: unknown): value is SignatureErrorCode {
  return typeof value === 'string' && value in AAUTH_CURRENT.signatureErrors;
}

export function serializeSignatureError(value: SignatureErrorHeader): string {
  const dict: Dictionary = new Map<string, Item | InnerList>([[M.error, [new Token(value.error), new Map()]]]);
  if (value.requiredInput !== undefined) dict.set(M.requiredInput, [value.requiredInput.map((c): Item => [c, new Map()]), new Map()]);
  return serializeDictionary(dict);
}

/** Strict: a dictionary without repeated keys, `error` a Token, `required_input` (if any) strings. Other members are ignored. */
export function parseSignatureError(header: string): SignatureErrorHeader {
  let dict: ReturnType<typeof parseUniqueDictionary>;
  try {
    dict = parseUniqueDictionary(header);
  } catch (cause) {
    throw new MalformedError('invalid_request', cause instanceof DuplicateKeyError ? 'Signature-Error names a member twice' : 'Signature-Error is not an RFC 8941 dictionary', header, { reason: 'malformed' });
  }
  const error = dict.get(M.error)?.[0];
  if (!(error instanceof Token)) throw new MalformedError('invalid_request', 'Signature-Error has no token "error" member', header, { field: M.error, reason: 'missing' });
  const required = dict.get(M.requiredInput)?.[0];
  if (required === undefined) return { error: error.toString() };
  if (!Array.isArray(required) || !required.every(([item]) => typeof item === 'string')) {
    throw new MalformedError('invalid_request', 'Signature-Error "required_input" is not an inner list of strings', header, { field: M.requiredInput, reason: 'malformed' });
  }
  return { error: error.toString(), requiredInput: required.map(([item]) => item as string) };
}

/** A List of Tokens (`Accept-Signature-Scheme: jwt`, `Accept-Signature-Alg: Ed25519, ES256`). */
export function serializeTokenList(values: readonly string[]): string {
  return serializeList(values.map((v) => [new Token(v), new Map()]));
}

/** Strict List of Tokens (Strings are read too: the draft gives no example of either Accept header's items). */
export function parseTokenList(header: string): string[] {
  let list: ReturnType<typeof parseList>;
  try {
    list = parseList(header);
  } catch {
    throw new MalformedError('invalid_request', 'not an RFC 8941 list', header, { reason: 'malformed' });
  }
  return list.map(([item]) => {
    if (item instanceof Token) return item.toString();
    if (typeof item === 'string') return item;
    throw new MalformedError('invalid_request', 'a list item is neither a token nor a string', header, { reason: 'malformed' });
  });
}

export interface SignatureRejectionOptions {
  /** Schemes the server accepts (`unsupported_scheme`); default the profile's (`jwt`). */
  readonly acceptSchemes?: readonly string[];
  /** Algorithms the server accepts (`unsupported_algorithm`); default the profile's. */
  readonly acceptAlgs?: readonly string[];
  /** `invalid_input`: the required covered components. */
  readonly requiredInput?: readonly string[];
}

/**
 * A `SignatureRejection` for `code`: `Signature-Error` always; `Accept-Signature-Scheme` with
 * `unsupported_scheme`, `Accept-Signature-Alg` with `unsupported_algorithm`, and `required_input`
 * (header member and body member) with `invalid_input`.
 */
export function signatureRejection(code: SignatureErrorCode, message: string, options: SignatureRejectionOptions = {}): SignatureRejection {
  const requiredInput = code === 'invalid_input' ? options.requiredInput ?? AAUTH_CURRENT.requiredComponents : undefined;
  const headers: Record<string, string> = { [H.signatureError]: serializeSignatureError({ error: code, ...(requiredInput === undefined ? {} : { requiredInput }) }) };
  if (code === 'unsupported_scheme') headers[H.acceptSignatureScheme] = serializeTokenList(options.acceptSchemes ?? AAUTH_CURRENT.signatureKeySchemes);
  if (code === 'unsupported_algorithm') headers[H.acceptSignatureAlg] = serializeTokenList(options.acceptAlgs ?? ACCEPT_SIGNATURE_ALGS);
  const extras: Record<string, unknown> = { [AAUTH_CURRENT.problem.type]: `${AAUTH_CURRENT.signatureErrorTypePrefix}${code}` };
  if (requiredInput !== undefined) extras[M.requiredInput] = [...requiredInput];
  return new SignatureRejection(code, message, headers, extras);
}

/** §Signature-Key Scheme Rejection: `401`, `Signature-Error: error=unsupported_scheme`, `Accept-Signature-Scheme: jwt`. */
export function schemeRejection(scheme: string, acceptSchemes: readonly string[] = AAUTH_CURRENT.signatureKeySchemes): ProblemResponse {
  return problemResponse(signatureRejection('unsupported_scheme', `Signature-Key scheme "${scheme}" is not accepted; sign with ${acceptSchemes.join(', ')}`, { acceptSchemes }));
}

/**
 * §Verification (Server) steps 5 and 6 for `scheme=jwt`: how a refused token in `Signature-Key` is
 * named in `Signature-Error` — `expired_jwt` for an expired token, `issuer_missing` /
 * `issuer_mismatch` when the issuer's metadata failed its `issuer` check, `invalid_jwt` otherwise.
 * Its `cnf.jwk` is the key the scheme resolved to, so that key's own faults are step 6's: no fully
 * specified `alg` is `unsupported_algorithm` (answered with `Accept-Signature-Alg`), an `alg` its
 * `kty`/`crv` disagree with `invalid_key`.
 */
export function signatureErrorForToken(err: AAuthError): SignatureErrorCode {
  if (err instanceof TokenError && err.detail.reason === 'expired') return 'expired_jwt';
  if (err instanceof TokenError && err.detail.field === 'cnf' && err.detail.reason === 'alg_not_fully_specified') return 'unsupported_algorithm';
  if (err instanceof TokenError && err.detail.field === 'cnf' && err.detail.reason === 'alg_mismatch') return 'invalid_key';
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 8; depth++) {
    if (e instanceof FetchError && (e.detail.reason === 'issuer_missing' || e.detail.reason === 'issuer_mismatch')) return e.detail.reason;
    e = e instanceof Error && 'detail' in e ? (e as AAuthError).detail.cause : undefined;
  }
  return 'invalid_jwt';
}
