/**
 * Sign one outgoing request (2026-03 §Request Signing; wire notes §1.4, §1.5): one label, only
 * `created`, `@method @authority @path signature-key` (+ `@query`), and with a body
 * `content-type content-digest`, the digest computed over exactly the bytes that will be sent.
 * Every send is signed afresh, so a retry carries a new `created`. `components` adds what a server
 * asked for (see `required-components.ts`).
 */
import { extend, signRequest, type SignatureKeyInput, type SigningKey } from '@aauth-ts/core';

export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  /** Lowercase header names; must include `content-type` when there is a body. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | undefined;
}

/** The request's headers plus `Signature-Key`, `Signature-Input`, `Signature` (and `Content-Digest`). */
export function signOutgoing(request: OutgoingRequest, key: SigningKey, signatureKey: SignatureKeyInput, components: readonly string[] = []): Record<string, string> {
  const signed = signRequest(
    { method: request.method, url: request.url, headers: request.headers, body: request.body },
    { key, signatureKey, ...(components.length === 0 ? {} : { components }) },
  );
  return extend(request.headers, signed);
}
