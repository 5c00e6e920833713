/**
 * Sign a request per the 2026-03 profile (§Request Signing; wire notes §1.4/§1.5): one label,
 * `created` only, covered `@method @authority @path signature-key`, plus `@query` whenever the
 * URL has a query (so a query string is never unprotected) and `content-type content-digest`
 * whenever there is a body. Components a server asks for (§Covered Components) are added where
 * the request has them (see `components.ts`).
 */
import { serializeDictionary, type InnerList, type Item } from 'structured-headers';
import { createContentDigest, type DigestAlgorithm } from '../digest/content-digest.js';
import { componentApplies, type ComponentPolicy } from './components.js';
import { rawSign } from '../jwk/raw-signature.js';
import type { SigningKey } from '../jwk/types.js';
import { getHeader, lowerName, toHeaderRecord } from '../lib/headers.js';
import { PROFILE } from '../profile/index.js';
import { serializeSignatureKey, type SerializeOptions } from '../signature-key/serialize.js';
import type { SignatureKey } from '../signature-key/types.js';
import { signatureBaseAndParams } from './signature-base.js';
import type { SignableRequest } from './types.js';

/** A `Signature-Key` member without its label: the label is the signature's. */
export type SignatureKeyInput =
  | { readonly scheme: 'hwk' }
  | { readonly scheme: 'jwt'; readonly jwt: string }
  | { readonly scheme: 'jwks_uri'; readonly id: string; readonly kid: string; readonly wellKnown?: string }
  | { readonly scheme: 'x509'; readonly x5u: string; readonly x5t: Uint8Array };

export interface SignRequestOptions {
  readonly key: SigningKey;
  /** How the verifier finds the key. `hwk` puts `key`'s public JWK inline. */
  readonly signatureKey: SignatureKeyInput;
  /** Signature label, `sig` by default. */
  readonly label?: string;
  /**
   * Extra covered components (a server's `additional_signature_components` or `required_components`):
   * each one the request has is covered (a header field the request does not carry is left out).
   */
  readonly components?: readonly string[];
  /**
   * `strict` (default) covers `@query` with a query and `content-type content-digest` with a body;
   * `draft-minimum` covers only the draft's four and `components`, leaving query and body unsigned.
   */
  readonly componentPolicy?: ComponentPolicy;
  /** Seconds since the epoch; defaults to now. */
  readonly created?: number;
  readonly digestAlgorithm?: DigestAlgorithm;
  readonly signatureKeyOptions?: SerializeOptions;
}

/**
 * Headers to add to the request: `Signature-Key`, `Signature-Input`, `Signature` and, with a body,
 * `Content-Digest`. A type alias rather than an interface so that it is assignable to `HeadersLike`
 * as it is (`{ headers: signRequest(…) }`).
 */
export type SignedHeaders = {
  readonly 'signature-key': string;
  readonly 'signature-input': string;
  readonly signature: string;
  readonly 'content-digest'?: string;
};

/** The headers signRequest adds, by their lowercase names (the keys of `SignedHeaders`). */
const NAMES = Object.freeze({
  signatureKey: lowerName(PROFILE.headers.signatureKey),
  signatureInput: lowerName(PROFILE.headers.signatureInput),
  signature: lowerName(PROFILE.headers.signature),
  contentDigest: lowerName(PROFILE.headers.contentDigest),
});

function toSignatureKey(label: string, input: SignatureKeyInput, key: SigningKey): SignatureKey {
  switch (input.scheme) {
    case 'hwk': return { label, scheme: 'hwk', jwk: key.publicJwk };
    case 'jwt': return { label, scheme: 'jwt', jwt: input.jwt };
    case 'jwks_uri': return { label, scheme: 'jwks_uri', id: input.id, kid: input.kid, wellKnown: input.wellKnown };
    case 'x509': return { label, scheme: 'x509', x5u: input.x5u, x5t: input.x5t };
  }
}

/**
 * Serialised `Signature-Key` values. An agent sends the same member (its hwk key, or the same
 * token) on every request, so the dictionary is written once per distinct member. Each entry
 * records every input of its serialisation, so a changed JWK, token, label or option is a miss.
 * Bounded, oldest entry dropped first. Tokens are keyed by themselves (a long string hashes once
 * and compares by identity when the caller passes the same one each time).
 */
const CACHE_MAX = 256;
const jwtSignatureKeys = new Map<string, { readonly label: string; readonly text: string }>();
const hwkSignatureKeys = new Map<string, string>();

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
}

function serializedSignatureKey(label: string, input: SignatureKeyInput, key: SigningKey, options: SerializeOptions | undefined): string {
  const serialize = (): string => serializeSignatureKey(toSignatureKey(label, input, key), options);
  if (input.scheme === 'jwt') {
    const hit = jwtSignatureKeys.get(input.jwt);
    if (hit !== undefined && hit.label === label) return hit.text;
    const text = serialize();
    remember(jwtSignatureKeys, input.jwt, { label, text });
    return text;
  }
  if (input.scheme === 'hwk') {
    const { kty, crv, x, y, n, e, alg } = key.publicJwk;
    // A JSON array keeps the parts apart: no two different inputs spell the same key.
    const cacheKey = JSON.stringify([label, kty, crv, x, y, n, e, options?.hwkAlg ? alg : null]);
    const hit = hwkSignatureKeys.get(cacheKey);
    if (hit !== undefined) return hit;
    const text = serialize();
    remember(hwkSignatureKeys, cacheKey, text);
    return text;
  }
  return serialize();
}

/** RFC 8941 §3.1.2 key: a label that serialises as itself. */
const KEY = /^[a-z*][*\-_.a-z0-9]*$/;

/**
 * The covered components for a request, in signing order. `headers` (lowercase names), when given,
 * leaves out extra header fields the request does not carry, which could not be signed.
 */
export function componentsFor(url: URL, hasBody: boolean, extra: readonly string[] = [], policy: ComponentPolicy = 'strict', headers?: Readonly<Record<string, string>>): string[] {
  const c = PROFILE.components;
  const list: string[] = [c.method, c.authority, c.path];
  if (policy === 'strict') {
    if (url.search.length > 0) list.push(c.query);
    if (hasBody) list.push(c.contentType, c.contentDigest);
  }
  for (const name of extra) {
    if (list.includes(name) || name === c.signatureKey || !componentApplies(name, url, hasBody)) continue;
    const field = !name.startsWith('@') && name !== c.contentDigest;
    if (field && headers !== undefined && getHeader(headers, name) === undefined) continue;
    list.push(name);
  }
  list.push(c.signatureKey);
  return list;
}

export function signRequest(request: SignableRequest, options: SignRequestOptions): SignedHeaders {
  const label = options.label ?? PROFILE.defaultLabel;
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  const hasBody = request.body !== undefined && request.body.length > 0;
  if (hasBody && getHeader(request.headers, PROFILE.headers.contentType) === undefined) {
    throw new TypeError('signRequest: a request with a body needs a Content-Type header to sign');
  }
  const headers = toHeaderRecord(request.headers);
  const policy = options.componentPolicy ?? 'strict';
  const components = componentsFor(url, hasBody, options.components, policy, headers);
  const signatureKey = serializedSignatureKey(label, options.signatureKey, options.key, options.signatureKeyOptions);
  headers[NAMES.signatureKey] = signatureKey;
  let contentDigest: string | undefined;
  if (components.includes(PROFILE.components.contentDigest)) {
    contentDigest = createContentDigest(request.body as Uint8Array | string, options.digestAlgorithm);
    headers[NAMES.contentDigest] = contentDigest;
  }
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const items: Item[] = components.map((name) => [name, new Map()]);
  const input: InnerList = [items, new Map([['created', created]])];
  const { base, signatureParams } = signatureBaseAndParams({ method: request.method.toUpperCase(), url, headers }, input);
  const signature = rawSign(options.key.httpAlgorithm, options.key.privateKey, Buffer.from(base, 'utf8'));
  // One-member dictionaries (RFC 8941 §4.1.2): `label=<inner list>` and `label=:<base64>:`
  // (§4.1.8), written directly for a plain label; anything else through the serializer.
  const plainLabel = KEY.test(label);
  const result: SignedHeaders = {
    [NAMES.signatureKey]: signatureKey,
    [NAMES.signatureInput]: plainLabel ? `${label}=${signatureParams}` : serializeDictionary(new Map([[label, input]])),
    [NAMES.signature]: plainLabel ? `${label}=:${signature.toString('base64')}:` : serializeDictionary(new Map([[label, [new Uint8Array(signature) as unknown as BufferSource, new Map()]]])),
    ...(contentDigest === undefined ? {} : { [NAMES.contentDigest]: contentDigest }),
  };
  return result;
}
