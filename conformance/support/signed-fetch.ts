/**
 * Signed HTTP requests to the auth server, made with core's `signRequest` and sent with the
 * platform `fetch` over loopback. Options let a case break exactly one thing (the body after
 * signing, `created`, the scheme) to see the matching refusal.
 */
import { request as httpRequest } from 'node:http';
import { signRequest, type ComponentPolicy, type SignatureKeyInput, type SignedHeaders, type SigningKey } from '@aauth-ts/core';

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
  /**
   * Sign for this authority (`host[:port]`) instead of the URL's, and send it as the `Host` header;
   * the connection still goes to the URL's address. A forged `Host` must not make such a request verify.
   */
  readonly forgedHost?: string;
  /** `draft-minimum` signs only `@method @authority @path signature-key` (no query, no body binding). */
  readonly componentPolicy?: ComponentPolicy;
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

export async function signedRequest(method: 'GET' | 'POST' | 'DELETE', url: string, signer: Signer | undefined, body?: string, options: SendOptions = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if (signer && !options.unsigned) {
    const target = new URL(url);
    const signedUrl = options.forgedHost === undefined ? url : `${target.protocol}//${options.forgedHost}${target.pathname}${target.search}`;
    const signed = signRequest({ method, url: signedUrl, headers, body }, {
      key: signer.key,
      signatureKey: signer.signatureKey,
      ...(options.created === undefined ? {} : { created: options.created }),
      ...(options.componentPolicy === undefined ? {} : { componentPolicy: options.componentPolicy }),
    });
    Object.assign(headers, signed, options.replaceHeaders?.(signed));
  }
  if (options.forgedHost !== undefined) return sendWithHost(method, url, options.forgedHost, headers, options.tamperedBody ?? body);
  const res = await fetch(url, { method, headers, body: options.tamperedBody ?? body, redirect: 'manual' });
  return toJson(res);
}

/** `fetch` always sends the URL's own host, so a forged `Host` goes out through node:http. */
function sendWithHost(method: string, url: string, host: string, headers: Record<string, string>, body: string | undefined): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') out.set(k, v);
        resolve(toJson(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: out })));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function postJson(url: string, signer: Signer | undefined, payload: Record<string, unknown>, options: SendOptions = {}): Promise<JsonResponse> {
  return signedRequest('POST', url, signer, JSON.stringify(payload), options);
}
