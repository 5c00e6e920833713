/**
 * Verify a request signature per the 2026-03 profile (§Request Verification; wire notes §1.7).
 *
 * Steps, in this order (structure first, then network, then crypto):
 *  1. `Signature`, `Signature-Input` and `Signature-Key` are all present.
 *  2. The label: the one asked for, else the only member of `Signature-Key`; `Signature-Input`
 *     and `Signature` must carry it. Other labels are ignored, never verified, never decisive.
 *  3. The request target, when given, is the origin-form of the URL as received (no dot-segments,
 *     no empty segments: `@path` is what the router sees). Covered components are listed once
 *     each (RFC 9421 §2.5) and include `@method @authority @path signature-key`, and under the
 *     `strict` policy (default) `@query` when the URL has a query and `content-type content-digest`
 *     when there is a body, and any extras required (`components.ts`).
 *  4. `created` is present and within the window (±60 s by default); `expires`, if sent, is honoured;
 *     an `alg` parameter, if sent, must name the key's own algorithm.
 *  5. The `Signature-Key` member parses and its scheme is allowed.
 *  6. `Content-Digest`, when covered, matches the body bytes.
 *  7. The key is resolved (the caller's resolver: inline for `hwk`, a verified JWT's `cnf.jwk`, …);
 *     RSA keys under 2048 bits are refused.
 *  8. The RFC 9421 signature verifies over the rebuilt signature base; an ECDSA signature must be
 *     low-S (its high-S twin would be a second valid encoding of one signature).
 *
 * Does not check: replay inside the window (see `ReplayCache`, keyed by `replayKey`), or anything
 * about the tokens themselves beyond what the resolver does.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { Dictionary, InnerList } from 'structured-headers';
import { verifyContentDigest } from '../digest/content-digest.js';
import { MalformedError, SignatureError } from '../errors.js';
import { MIN_RSA_MODULUS_BITS, httpAlgorithmFor, importPublicJwk, isWeakRsaKey } from '../jwk/keys.js';
import { isHighS, rawVerify } from '../jwk/raw-signature.js';
import { jwkThumbprint } from '../jwk/thumbprint.js';
import type { PublicJwk } from '../jwk/types.js';
import { DuplicateKeyError, parseUniqueDictionary } from '../lib/dictionary.js';
import { getHeader } from '../lib/headers.js';
import { isThenable } from '../lib/thenable.js';
import { ACCEPT_SIGNATURE_ALGS } from '../profile/accept-signature-algs.js';
import { PROFILE, type AnyProfile, type CurrentProfile } from '../profile/index.js';
import { signatureRejection } from '../problem/signature-error.js';
import { signatureKeysOf } from '../signature-key/parse.js';
import type { SignatureKey, SignatureKeyScheme } from '../signature-key/types.js';
import { requiredComponentsFor, type ComponentPolicy } from './components.js';
import { oneSignature, oneSignatureInput } from './one-member-fields.js';
import { checkRequestTarget } from './request-target.js';
import { buildSignatureBase } from './signature-base.js';
import { standardBase64Signature } from './signature-field.js';
import type { SignableRequest } from './types.js';

export interface ResolvedKey<T> {
  /** The public key that must have made the HTTP signature. */
  readonly jwk: PublicJwk;
  /** Whatever the resolver learnt on the way (verified token claims, say). */
  readonly info: T;
}

export type KeyResolver<T> = (signatureKey: SignatureKey) => PromiseLike<ResolvedKey<T>> | ResolvedKey<T>;

export interface VerifyRequestOptions<T> {
  readonly resolveKey: KeyResolver<T>;
  /** Label to verify; defaults to the only member of `Signature-Key`. */
  readonly label?: string;
  /** Components required beyond the profile's (e.g. metadata `additional_signature_components`). */
  readonly requiredComponents?: readonly string[];
  /** `strict` (default) or `draft-minimum` (the draft's four plus `requiredComponents`); see `components.ts`. */
  readonly componentPolicy?: ComponentPolicy;
  /** Allowed distance of `created` from now, both ways, in seconds. Default 60. */
  readonly windowSeconds?: number;
  /** Current time in seconds since the epoch (injectable clock). */
  readonly now?: number;
  /** Schemes accepted here; all four by default (the profile's own list under `aauth-current`). */
  readonly allowedSchemes?: readonly SignatureKeyScheme[];
  /**
   * Whose rules apply (default 2026-03). Under `AAUTH_CURRENT` (its `requestVerification`): only
   * `scheme=jwt`, the `alg` parameter ignored, the key's own fully specified `alg` required, and
   * every failure a `SignatureRejection` carrying `Signature-Error`
   * (draft-hardt-oauth-aauth-protocol §Verification (Server), §Signature-Key Scheme Rejection).
   */
  readonly profile?: AnyProfile;
  /**
   * The request is to a PS or AS endpoint: one with a body must cover `content-type` and
   * `content-digest`, whatever `componentPolicy` says (§Covered Components).
   */
  readonly personOrAccessServer?: boolean;
}

export interface VerifiedRequest<T> {
  readonly label: string;
  readonly signatureKey: SignatureKey;
  readonly jwk: PublicJwk;
  /** RFC 7638 thumbprint of the signing key. */
  readonly thumbprint: string;
  readonly created: number;
  readonly components: readonly string[];
  /**
   * What was signed, by whom: SHA-256 over the key's thumbprint and the signature base, base64url.
   * The replay-cache key. Not the signature bytes: a randomised or malleable algorithm (ECDSA)
   * gives one signed request several valid signatures, and each must count as the same request.
   */
  readonly replayKey: string;
  readonly info: T;
}

export const DEFAULT_SIGNATURE_WINDOW = 60;

function fail(message: string, reason: string, extra: Record<string, unknown> = {}): never {
  throw new SignatureError('invalid_signature', message, { reason, ...extra });
}

function parseDict(header: string, name: string): Dictionary {
  try {
    return parseUniqueDictionary(header);
  } catch (cause) {
    if (cause instanceof DuplicateKeyError) {
      // RFC 8941 would let the last member win; a label given twice is ambiguous, so refuse it.
      throw new MalformedError('invalid_request', `${name} names the same label more than once`, header, { field: name.toLowerCase(), reason: 'duplicate_label' });
    }
    throw new MalformedError('invalid_request', `${name} is not an RFC 8941 dictionary`, header, { field: name.toLowerCase(), reason: 'malformed', cause });
  }
}

/** `Signature`, also when written in unpadded base64url (see `signature-field.ts`). */
function parseSignatureField(header: string): Dictionary {
  try {
    return parseDict(header, PROFILE.headers.signature);
  } catch (err) {
    const standard = standardBase64Signature(header);
    if (standard === undefined) throw err;
    return parseDict(standard, PROFILE.headers.signature);
  }
}

/**
 * Thumbprint and imported key per JWK object, for JWKs that cannot change: the frozen ones the
 * Signature-Key cache hands out (and any a resolver freezes). Others are computed every time.
 */
const preparedKeys = new WeakMap<PublicJwk, { readonly thumbprint: string; readonly key: KeyObject }>();

function prepareKey(jwk: PublicJwk): { readonly thumbprint: string; readonly key: KeyObject } {
  const hit = preparedKeys.get(jwk);
  if (hit) return hit;
  const prepared = { thumbprint: jwkThumbprint(jwk), key: importPublicJwk(jwk) };
  if (Object.isFrozen(jwk)) preparedKeys.set(jwk, prepared);
  return prepared;
}

function chooseLabel(keys: readonly SignatureKey[], wanted: string | undefined): SignatureKey {
  if (wanted !== undefined) {
    const key = keys.find((k) => k.label === wanted);
    if (!key) fail(`Signature-Key has no member for label "${wanted}"`, 'label_mismatch', { expected: wanted });
    return key;
  }
  if (keys.length !== 1) {
    throw new MalformedError('invalid_request', `Signature-Key must have exactly one member, found ${keys.length}`, undefined, { field: 'signature-key', reason: 'ambiguous_label' });
  }
  return keys[0] as SignatureKey;
}

/**
 * Every failure of the signature itself is `401 invalid_signature` (2026-03 §Request Verification:
 * "Any failure MUST result in a 401 response"), including headers that do not parse: the parsers
 * report those as `invalid_request`, and they are relabelled here. What the key resolver throws
 * (token errors, an unknown agent) passes through unchanged, so the resolver runs outside both.
 */
export async function verifyRequest<T>(request: SignableRequest, options: VerifyRequestOptions<T>): Promise<VerifiedRequest<T>> {
  return verifyRequestNow(request, options);
}

/**
 * `verifyRequest` without a promise when none is needed: when the resolver answers synchronously
 * (a key or token verdict already cached) the result is returned, and a refusal thrown, at once;
 * otherwise the promise of the result. A server's hot path calls this; everything else
 * `verifyRequest`. Same steps, same refusals. `now` (seconds) is apart from `options` so that a
 * server keeps one options object for every request.
 */
export function verifyRequestNow<T>(request: SignableRequest, options: VerifyRequestOptions<T>, now: number = options.now ?? Math.floor(Date.now() / 1000)): VerifiedRequest<T> | Promise<VerifiedRequest<T>> {
  const profile = options.profile ?? PROFILE;
  let input: CheckedInput;
  try {
    input = checkInput(request, options, profile, now);
  } catch (err) {
    throw refusal(err, 'input', profile, options.allowedSchemes);
  }
  const resolved = options.resolveKey(input.signatureKey);
  // A resolver may answer with any thenable, not only a native promise.
  if (isThenable(resolved)) return Promise.resolve(resolved).then((key) => verifyResolved(request, input, key, profile, options.allowedSchemes));
  return verifyResolved(request, input, resolved, profile, options.allowedSchemes);
}

function verifyResolved<T>(request: SignableRequest, input: CheckedInput, resolved: ResolvedKey<T>, profile: AnyProfile, allowedSchemes: readonly string[] | undefined): VerifiedRequest<T> {
  try {
    return verifyWithKey(request, input, resolved, profile);
  } catch (err) {
    throw refusal(err, 'key', profile, allowedSchemes);
  }
}

/** A failed check as the profile words it (see `asSignatureRejection`, `asSignatureFailure`). */
function refusal(err: unknown, stage: 'input' | 'key', profile: AnyProfile, allowedSchemes: readonly string[] | undefined): unknown {
  return profile.requestVerification.errorFormat === 'rfc9457' ? asSignatureRejection(err, stage, allowedSchemes) : asSignatureFailure(err);
}

/**
 * The current profile's answer to a failed check (§Verification (Server) steps 1–7): missing
 * headers `invalid_request`; missing components `invalid_input` with `required_input`; a scheme
 * other than `jwt` (or the caller's `allowedSchemes`, all named in `Accept-Signature-Scheme`)
 * `unsupported_scheme`; a key without a fully specified `alg` `unsupported_algorithm`; a key that does not parse or whose `kty`/`crv` disagrees with its `alg`
 * `invalid_key`; anything else about the signature `invalid_signature`.
 */
function asSignatureRejection(err: unknown, stage: 'input' | 'key', acceptSchemes?: readonly string[]): unknown {
  if (!(err instanceof MalformedError) && !(err instanceof SignatureError)) return err;
  const reason = err.detail.reason;
  if (reason === 'missing' || reason === 'unsigned') return signatureRejection('invalid_request', err.message);
  if (reason === 'missing_component') return signatureRejection('invalid_input', err.message, { requiredInput: err.detail.expected as readonly string[] });
  // §Signature-Key Scheme Rejection: a server that accepts further schemes "MUST then list all of them".
  if (reason === 'unsupported_scheme') return signatureRejection('unsupported_scheme', err.message, acceptSchemes === undefined ? {} : { acceptSchemes });
  if (reason === 'unsupported_algorithm') return signatureRejection('unsupported_algorithm', err.message);
  if (reason === 'invalid_key' || reason === 'weak_key' || (stage === 'key' && err instanceof MalformedError)) return signatureRejection('invalid_key', err.message);
  return signatureRejection('invalid_signature', err.message);
}

/**
 * §Error Responses, `invalid_signature`: a signature missing required components is refused with
 * `required_components`, the full list for this request, so the agent can re-sign once with them.
 */
export function missingComponents(missing: readonly string[], required: readonly string[], what = 'the signature must cover'): SignatureError {
  return new SignatureError('invalid_signature', `${what} ${missing.map((m) => `"${m}"`).join(', ')}`, { reason: 'missing_component', field: missing[0], expected: required },
    { extras: { [PROFILE.signatureComponents.errorMember]: [...required] } });
}

function asSignatureFailure(err: unknown): unknown {
  if (!(err instanceof MalformedError) || err.code !== 'invalid_request') return err;
  return new MalformedError('invalid_signature', err.message, err.raw, err.detail);
}

const NO_COMPONENTS: readonly string[] = Object.freeze([]);

/**
 * `requiredComponentsFor`, remembered per frozen extras list: the answer depends only on the
 * policy, the extras and whether the request has a query and a body (eight cases), and a server
 * asks it on every request. A list that is not frozen could change, so it is worked out afresh.
 */
const requiredMemo = new WeakMap<readonly string[], (readonly string[] | undefined)[]>();

function requiredFor(url: URL, hasBody: boolean, policy: ComponentPolicy, extra: readonly string[]): readonly string[] {
  if (!Object.isFrozen(extra)) return requiredComponentsFor(url, hasBody, policy, extra);
  let cases = requiredMemo.get(extra);
  if (cases === undefined) requiredMemo.set(extra, cases = []);
  const index = (policy === 'strict' ? 4 : 0) + (url.search.length > 0 ? 2 : 0) + (hasBody ? 1 : 0);
  return cases[index] ??= Object.freeze(requiredComponentsFor(url, hasBody, policy, extra));
}

/**
 * The last request URL parsed, and its text: a server's endpoint sees the same URL request after
 * request. Found only by the whole text, and never handed out of this module (nothing here
 * changes a URL), so one request cannot alter what another reads.
 */
let lastUrl: { readonly text: string; readonly url: URL } | undefined;

function parsedUrl(text: string): URL {
  if (lastUrl?.text !== text) lastUrl = { text, url: new URL(text) };
  return lastUrl.url;
}

/** What steps 1–6 established, for steps 7–8 once the key is known. */
interface CheckedInput {
  readonly signatureKey: SignatureKey;
  readonly inner: InnerList;
  readonly signatureBytes: Buffer;
  readonly url: URL;
  readonly covered: readonly string[];
  readonly created: number;
}

/** Steps 1–6: everything that needs no key. */
function checkInput(request: SignableRequest, options: VerifyRequestOptions<unknown>, profile: AnyProfile, now: number): CheckedInput {
  const h = PROFILE.headers;
  // 1. presence
  const sigHeader = getHeader(request.headers, h.signature);
  const inputHeader = getHeader(request.headers, h.signatureInput);
  const keyHeader = getHeader(request.headers, h.signatureKey);
  if (sigHeader === undefined && inputHeader === undefined && keyHeader === undefined) {
    fail('the request is not signed', 'unsigned');
  }
  if (sigHeader === undefined || inputHeader === undefined || keyHeader === undefined) {
    const missing = [[h.signature, sigHeader], [h.signatureInput, inputHeader], [h.signatureKey, keyHeader]].filter(([, v]) => v === undefined).map(([n]) => n);
    throw new MalformedError('invalid_request', `missing header(s): ${missing.join(', ')}`, undefined, { reason: 'missing', field: String(missing[0]) });
  }

  // 2. label
  const keys = signatureKeysOf(keyHeader);
  const signatureKey = chooseLabel(keys, options.label);
  const label = signatureKey.label;
  // The profile's one-member spelling is read directly; anything else by the RFC 8941 parser.
  const inputs = oneSignatureInput(inputHeader) ?? parseDict(inputHeader, h.signatureInput);
  const one = oneSignature(sigHeader);
  const signatures = one === undefined ? parseSignatureField(sigHeader) : undefined;
  const input = inputs.get(label);
  if (input === undefined) fail(`Signature-Input has no signature labelled "${label}" (the Signature-Key label)`, 'label_mismatch', { expected: label });
  const sigMember = one === undefined ? signatures?.get(label) : one.label === label ? one.bytes : undefined;
  if (sigMember === undefined) fail(`Signature has no signature labelled "${label}"`, 'label_mismatch', { expected: label });
  if (!Array.isArray(input[0])) throw new MalformedError('invalid_request', `Signature-Input "${label}" is not an inner list`, inputHeader, { field: 'signature-input' });
  const signatureBytes = sigMember instanceof Buffer ? sigMember : sigMember[0] instanceof ArrayBuffer ? Buffer.from(sigMember[0]) : undefined;
  if (signatureBytes === undefined) throw new MalformedError('invalid_request', `Signature "${label}" is not a byte sequence`, sigHeader, { field: 'signature' });
  const inner = input as InnerList;

  // 3. covered components
  const url = typeof request.url === 'string' ? parsedUrl(request.url) : request.url;
  if (request.target !== undefined) checkRequestTarget(request.target, url);
  const hasBody = request.body !== undefined && request.body.length > 0;
  const covered = inner[0].map(([name]) => name);
  if (covered.some((name) => typeof name !== 'string')) throw new MalformedError('invalid_request', 'a covered component identifier is not a string', inputHeader, { field: 'signature-input' });
  const twice = covered.find((name, i) => covered.indexOf(name, i + 1) > i);
  // RFC 9421 §2.5: a component listed more than once makes the signature base an error.
  if (twice !== undefined) fail(`covered component ${JSON.stringify(twice)} is listed more than once`, 'duplicate_component', { field: String(twice) });
  let required = requiredFor(url, hasBody, options.componentPolicy ?? 'strict', options.requiredComponents ?? NO_COMPONENTS);
  if (options.personOrAccessServer === true && hasBody) required = [...required, ...profile.bodyComponents.filter((name) => !required.includes(name))];
  let missing: string[] | undefined;
  for (const name of required) if (!covered.includes(name)) (missing ??= []).push(name);
  if (missing !== undefined) throw missingComponents(missing, required);

  // 4. parameters
  const params = inner[1];
  const created = params.get('created');
  if (typeof created !== 'number' || !Number.isInteger(created)) fail('the signature has no integer "created" parameter', 'created_missing');
  const window = options.windowSeconds ?? DEFAULT_SIGNATURE_WINDOW;
  if (Math.abs(now - created) > window) {
    fail(`signature "created" is ${now - created > 0 ? `${now - created} s in the past` : `${created - now} s in the future`}; the window is ±${window} s`, 'created_window', { actual: created, expected: now });
  }
  const expires = params.get('expires');
  if (expires !== undefined && (typeof expires !== 'number' || expires < now)) fail('the signature has expired ("expires")', 'expired');

  // 5. scheme
  const allowedSchemes: readonly string[] | undefined = options.allowedSchemes ?? (profile.requestVerification.errorFormat === 'rfc9457' ? (profile as CurrentProfile).signatureKeySchemes : undefined);
  if (allowedSchemes && !allowedSchemes.includes(signatureKey.scheme)) {
    fail(`Signature-Key scheme "${signatureKey.scheme}" is not accepted here (accepted: ${allowedSchemes.join(', ')})`, 'unsupported_scheme', { actual: signatureKey.scheme });
  }

  // 6. body digest
  if (covered.includes(PROFILE.components.contentDigest)) {
    const digest = getHeader(request.headers, h.contentDigest);
    if (digest === undefined) throw new MalformedError('invalid_request', 'content-digest is covered but the Content-Digest header is missing', undefined, { field: 'content-digest', reason: 'missing' });
    verifyContentDigest(digest, request.body ?? '');
  }
  return { signatureKey, inner, signatureBytes, url, covered: covered as string[], created };
}

/**
 * §Verification (Server) step 6 / §Signature Algorithms: the key's `alg` is present and fully
 * specified (`EdDSA` is not), and agrees with its `kty`/`crv`.
 */
function checkKeyAlgorithm(jwk: PublicJwk): void {
  const accepted = ACCEPT_SIGNATURE_ALGS;
  if (typeof jwk.alg !== 'string' || !accepted.includes(jwk.alg)) {
    fail(`the signing key's "alg" ${JSON.stringify(jwk.alg)} is not a fully specified algorithm accepted here (${accepted.join(', ')})`, 'unsupported_algorithm', { actual: jwk.alg });
  }
  const fits = jwk.alg === 'Ed25519' ? jwk.kty === 'OKP' && jwk.crv === 'Ed25519' : jwk.alg === 'ES256' ? jwk.kty === 'EC' && jwk.crv === 'P-256' : jwk.kty === 'RSA';
  if (!fits) fail(`the signing key's "alg" ${jwk.alg} disagrees with its kty/crv`, 'invalid_key', { actual: jwk.alg });
}

/** Steps 7–8: the resolved key, then the signature over the rebuilt base. */
function verifyWithKey<T>(request: SignableRequest, input: CheckedInput, resolved: ResolvedKey<T>, profile: AnyProfile): VerifiedRequest<T> {
  const { signatureKey, inner, signatureBytes, url, covered, created } = input;
  const params = inner[1];
  // 7. key
  if (profile.requestVerification.keyAlgRequired) checkKeyAlgorithm(resolved.jwk);
  const algorithm = httpAlgorithmFor(resolved.jwk);
  const algParam = params.get('alg');
  // The current profile ignores `alg` (§Signature Parameters, RFC 9421 §3.3.7); 2026-03 checks it.
  if (profile.requestVerification.algParameter === 'match' && algParam !== undefined && algParam !== algorithm) {
    fail(`signature "alg" ${String(algParam)} does not match the key's algorithm ${algorithm}`, 'alg_mismatch', { actual: algParam, expected: algorithm });
  }
  const { key: publicKey, thumbprint } = prepareKey(resolved.jwk);
  if (isWeakRsaKey(publicKey)) fail(`RSA keys shorter than ${MIN_RSA_MODULUS_BITS} bits are not accepted`, 'weak_key', { actual: publicKey.asymmetricKeyDetails?.modulusLength });

  // 8. signature
  const base = buildSignatureBase({ method: request.method.toUpperCase(), url, headers: request.headers }, inner);
  if (algorithm === 'ecdsa-p256-sha256' && isHighS(signatureBytes)) fail('the ECDSA signature has a high S value; sign with low S (s ≤ n/2)', 'high_s');
  if (!rawVerify(algorithm, publicKey, Buffer.from(base, 'utf8'), signatureBytes)) fail('the HTTP message signature does not verify', 'bad_signature');

  return new Verified(signatureKey, resolved.jwk, thumbprint, created, covered, resolved.info, base);
}

/**
 * A verified request. A class rather than an object literal with a getter: a literal's getter is
 * a new closure per request, and the replay key is wanted only by a request the replay cache sees.
 */
class Verified<T> implements VerifiedRequest<T> {
  readonly label: string;
  readonly #base: string;
  #replayKey: string | undefined;

  constructor(
    readonly signatureKey: SignatureKey,
    readonly jwk: PublicJwk,
    readonly thumbprint: string,
    readonly created: number,
    readonly components: readonly string[],
    readonly info: T,
    base: string,
  ) {
    this.label = signatureKey.label;
    this.#base = base;
  }

  get replayKey(): string {
    this.#replayKey ??= createHash('sha256').update(this.thumbprint).update('\n').update(this.#base).digest('base64url');
    return this.#replayKey;
  }
}
