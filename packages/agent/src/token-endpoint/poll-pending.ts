/**
 * Polling a pending request (2026-03 §Deferred Responses; wire notes §4.1): a signed `GET` of the
 * `Location`, same key as the token request, never resending the body, optionally with
 * `Prefer: wait=N`. The `Response` goes to `processTokenResponse()`: 200 token, 202 still
 * pending, 403 `denied`, 408 `expired`, anything else an error.
 */
import type { RequestSigner } from '../identity/agent-session.js';
import { H } from '../lib/header-names.js';
import { signOutgoing } from '../signing/sign-outgoing.js';
import { createTransport } from '../transport/transport.js';
import { preferWait } from './members.js';
import type { TokenEndpointCallOptions } from './token-request.js';

/** `token`: present this token (`sig=jwt`) instead of the signer's own identity (an auth token obtained while the request waits). */
export async function pollPending(location: string | URL, signer: RequestSigner, options: TokenEndpointCallOptions & { readonly token?: string | undefined } = {}): Promise<Response> {
  const url = new URL(location);
  const headers: Record<string, string> = {};
  if (options.preferWaitSeconds !== undefined) headers[H.prefer] = preferWait(options.preferWaitSeconds);
  const signed = signOutgoing({ method: 'GET', url, headers }, signer.key, options.token === undefined ? await signer.identity() : { scheme: 'jwt', jwt: options.token });
  const transport = options.transport ?? createTransport();
  return transport(url, { method: 'GET', headers: signed, signal: options.signal });
}
