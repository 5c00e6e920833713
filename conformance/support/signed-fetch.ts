/**
 * Signed HTTP requests to the auth server, made with core's `signRequest` and sent with the
 * platform `fetch` over loopback. Options let a case break exactly one thing (the body after
 * signing, `created`, the scheme) to see the matching refusal.
 */
import { signRequest, type SignatureKeyInput, type SignedHeaders, type SigningKey } from '@aauth-ts/core';

export interface Signer {
  readonly key: SigningKey;
  readonly signatureKey: SignatureKeyInput;
}

export interface SendOptions {
  /** Send these bytes instead of the signed body (the digest then no longer matches). */
  readonly tamperedBody?: string;
  readonly created?: number;
  /** Send without any signature headers. */
  readonly unsigned?: boolean;
  readonly contentType?: string;
  /** Header values that replace the signed ones, given those (to break one header after signing). */
  readonly replaceHeaders?: (signed: SignedHeaders) => Readonly<Record<string, string>>;
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

async function toJson(res: Response): Promise<JsonResponse> {
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { unparsable: text };
  }
  return { status: res.status, headers: res.headers, json };
}

export async function signedRequest(method: 'GET' | 'POST', url: string, signer: Signer | undefined, body?: string, options: SendOptions = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if (signer && !options.unsigned) {
    const signed = signRequest({ method, url, headers, body }, {
      key: signer.key,
      signatureKey: signer.signatureKey,
      ...(options.created === undefined ? {} : { created: options.created }),
    });
    Object.assign(headers, signed, options.replaceHeaders?.(signed));
  }
  const res = await fetch(url, { method, headers, body: options.tamperedBody ?? body, redirect: 'manual' });
  return toJson(res);
}

export function postJson(url: string, signer: Signer | undefined, payload: Record<string, unknown>, options: SendOptions = {}): Promise<JsonResponse> {
  return signedRequest('POST', url, signer, JSON.stringify(payload), options);
}
