/**
 * RFC 9421 §2.5 signature base, built with `http-message-signatures` for component derivation
 * (its httpbis module reproduces RFC 9421 B.2.6) and our own `@signature-params` line.
 */
import * as hms from 'http-message-signatures';
import { serializeInnerList, serializeItem, type BareItem, type InnerList, type Parameters } from 'structured-headers';
import { MalformedError } from '../errors.js';
import { PROFILE } from '../profile/index.js';
import { getHeader, toHeaderRecord, type HeadersLike } from '../lib/headers.js';

export interface BaseRequest {
  readonly method: string;
  readonly url: URL;
  /** Read by `getHeader` (a Node request's headers as they are, a record, Fetch `Headers`). */
  readonly headers: HeadersLike;
}

/** RFC 8941 §3.3.3 sf-string content that needs no escaping: printable ASCII but `"` and `\`. */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** RFC 8941 §3.1.2 key. */
const KEY = /^[a-z*][*\-_.a-z0-9]*$/;
/** RFC 8941 §3.3.1: the integer range. */
const MAX_INTEGER = 999_999_999_999_999;

/**
 * Serialised inner list of `Signature-Input`, i.e. the value of the `@signature-params` line.
 * The profile's shape (plain component names, integer parameters such as `created`) is written
 * directly, as RFC 8941 §4.1.1.1 prescribes: it is built on every sign and verify. Any other
 * shape goes through the structured-headers serializer, which also reports what cannot be sent.
 */
export function serializeSignatureParams(input: InnerList): string {
  let out = '(';
  for (const [index, [name, params]] of input[0].entries()) {
    if (typeof name !== 'string' || params.size > 0 || !(PROFILE_NAMES.has(name) || PLAIN_STRING.test(name))) return serializeInnerList(input);
    out += index === 0 ? `"${name}"` : ` "${name}"`;
  }
  out += ')';
  for (const [key, value] of input[1]) {
    if (!KEY.test(key) || typeof value !== 'number' || !Number.isInteger(value) || value < -MAX_INTEGER || value > MAX_INTEGER) return serializeInnerList(input);
    out += `;${key}=${value}`;
  }
  return out;
}

/**
 * Lines for each covered component plus `@signature-params`, joined by LF without a trailing LF.
 * A component that cannot be derived (a header that is absent, say) is a `MalformedError`.
 */
export function buildSignatureBase(request: BaseRequest, input: InnerList): string {
  return signatureBaseAndParams(request, input).base;
}

/** `buildSignatureBase` plus the `@signature-params` value it ends with (the signer sends it as `Signature-Input`). */
export function signatureBaseAndParams(request: BaseRequest, input: InnerList): { readonly base: string; readonly signatureParams: string } {
  const fast = plainSignatureBase(request, input);
  if (fast !== undefined) return fast;
  const fields = input[0].map(([name, params]) => serializeComponentId(name, params));
  let lines: [string, string[]][];
  try {
    lines = hms.httpbis.createSignatureBase({ fields }, { method: request.method, url: request.url, headers: toHeaderRecord(request.headers) });
  } catch (cause) {
    throw new MalformedError('invalid_request', `a covered component cannot be derived: ${(cause as Error).message}`, undefined, { reason: 'component_missing', cause });
  }
  const signatureParams = serializeSignatureParams(input);
  lines.push(['"@signature-params"', [signatureParams]]);
  return { base: hms.httpbis.formatSignatureBase(lines), signatureParams };
}

function serializeComponentId(name: BareItem, params: Parameters): string {
  if (typeof name !== 'string') throw new MalformedError('invalid_request', 'a covered component identifier is not a string', undefined, { field: 'signature-input' });
  return serializeItem(name, params);
}

/** A lowercase component name that serialises as itself in quotes (no escaping needed). */
const PLAIN_NAME = /^@?[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** The names the profile covers (each a `PLAIN_NAME`), known without the pattern. */
const PROFILE_NAMES: ReadonlySet<string> = new Set(Object.values(PROFILE.components));

/**
 * The common case without the engine: every component is `@method`, `@authority`, `@path`,
 * `@query` or a header field, none with parameters. Derivations follow RFC 9421 §2.2.1–2.2.7 and
 * §2.1 exactly as the engine does (the B.2.6 and V1–V3 vectors pin both paths). Returns undefined
 * for anything else (`;sf`, `;key`, `;bs`, `;req`, `@target-uri`, `@query-param`, …), which then
 * goes through the engine.
 */
function plainSignatureBase(request: BaseRequest, input: InnerList): { base: string; signatureParams: string } | undefined {
  const lines: string[] = [];
  for (const [name, params] of input[0]) {
    if (typeof name !== 'string' || params.size > 0 || !(PROFILE_NAMES.has(name) || PLAIN_NAME.test(name))) return undefined;
    let value: string;
    switch (name) {
      case '@method': value = request.method.toUpperCase(); break;
      case '@authority': value = authority(request.url); break;
      case '@path': value = request.url.pathname || '/'; break;
      // §2.2.7: the query with its leading "?"; an absent query is "?".
      case '@query': value = request.url.search || '?'; break;
      default: {
        if (name.startsWith('@')) return undefined;
        const raw = getHeader(request.headers, name);
        if (raw === undefined) return undefined; // the engine reports the missing component
        // §2.1: trim, and fold obsolete line folding into a single space.
        value = raw.includes('\n') ? raw.trim().replace(/\n\s*/gm, ' ') : raw.trim();
      }
    }
    lines.push(`"${name}": ${value}`);
  }
  const signatureParams = serializeSignatureParams(input);
  lines.push(`"@signature-params": ${signatureParams}`);
  return { base: lines.join('\n'), signatureParams };
}

/** §2.2.3: host lowercased, default port omitted. */
function authority(url: URL): string {
  const { port, protocol } = url;
  const host = url.hostname.toLowerCase();
  return port && ((protocol === 'http:' && port !== '80') || (protocol === 'https:' && port !== '443')) ? `${host}:${port}` : host;
}
