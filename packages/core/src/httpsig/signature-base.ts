/**
 * RFC 9421 §2.5 signature base, built with `http-message-signatures` for component derivation
 * (its httpbis module reproduces RFC 9421 B.2.6) and our own `@signature-params` line.
 */
import * as hms from 'http-message-signatures';
import { serializeInnerList, serializeItem, type BareItem, type InnerList, type Parameters } from 'structured-headers';
import { MalformedError } from '../errors.js';

export interface BaseRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
}

/** Serialised inner list of `Signature-Input`, i.e. the value of the `@signature-params` line. */
export function serializeSignatureParams(input: InnerList): string {
  return serializeInnerList(input);
}

/**
 * Lines for each covered component plus `@signature-params`, joined by LF without a trailing LF.
 * A component that cannot be derived (a header that is absent, say) is a `MalformedError`.
 */
export function buildSignatureBase(request: BaseRequest, input: InnerList): string {
  const fields = input[0].map(([name, params]) => serializeComponentId(name, params));
  let lines: [string, string[]][];
  try {
    lines = hms.httpbis.createSignatureBase({ fields }, { method: request.method, url: request.url, headers: request.headers });
  } catch (cause) {
    throw new MalformedError('invalid_request', `a covered component cannot be derived: ${(cause as Error).message}`, undefined, { reason: 'component_missing', cause });
  }
  lines.push(['"@signature-params"', [serializeSignatureParams(input)]]);
  return hms.httpbis.formatSignatureBase(lines);
}

function serializeComponentId(name: BareItem, params: Parameters): string {
  if (typeof name !== 'string') throw new MalformedError('invalid_request', 'a covered component identifier is not a string', undefined, { field: 'signature-input' });
  return serializeItem(name, params);
}
