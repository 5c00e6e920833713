/**
 * RFC 8693 token exchange from the agent's side, to answer `require=delegated-token` (the
 * extension in `PROFILE.challenge.delegatedToken`): a signed form POST to the auth server's
 * exchange endpoint (auth-server contract, "RFC 8693 token exchange": signed like a token request,
 * `Content-Digest` over the raw bytes) with the subject token the agent holds, the resource as
 * `audience`, and the route's scope. The answer is a delegated token (`at+jwt`) bound to the
 * agent's key, presented to the resource like an auth token.
 */
import { AAuthError, PROFILE, TOKEN_EXCHANGE, peekTyp, type WireErrorCode } from '@aauth-ts/core';
import type { RequestSigner } from '../identity/agent-session.js';
import { H } from '../lib/header-names.js';
import { signOutgoing } from '../signing/sign-outgoing.js';
import type { Transport } from '../transport/transport.js';

const FORM = 'application/x-www-form-urlencoded';

export interface ExchangeRequest {
  readonly subjectToken: string;
  readonly audience: string;
  /** Space-separated; omitted when empty (the server then grants its default). */
  readonly scope: string;
}

/** RFC 8693 §3: our own `auth+jwt` is a JWT; anything else (an `at+jwt`, an OIDC access token) an access token. */
function subjectTokenType(token: string): string {
  let typ: unknown;
  try {
    typ = peekTyp(token);
  } catch {
    typ = undefined;
  }
  return typ === PROFILE.typ.auth ? TOKEN_EXCHANGE.tokenTypes.jwt : TOKEN_EXCHANGE.tokenTypes.accessToken;
}

/** POST the exchange and return the issued token, or throw the server's refusal as an `AAuthError`. */
export async function exchangeToken(authServer: string, signer: RequestSigner, request: ExchangeRequest, options: { transport: Transport; signal?: AbortSignal; components?: readonly string[] }): Promise<{ token: string; expiresIn: number | undefined }> {
  const p = TOKEN_EXCHANGE.params;
  const form = new URLSearchParams({
    [p.grantType]: TOKEN_EXCHANGE.grantType,
    [p.subjectToken]: request.subjectToken,
    [p.subjectTokenType]: subjectTokenType(request.subjectToken),
    [p.audience]: request.audience,
  });
  if (request.scope.length > 0) form.set(p.scope, request.scope);
  const url = new URL(`${authServer.replace(/\/+$/, '')}${TOKEN_EXCHANGE.endpointPath}`);
  const body = new TextEncoder().encode(form.toString());
  const headers = signOutgoing({ method: 'POST', url, headers: { [H.contentType]: FORM }, body }, signer.key, await signer.identity(), options.components ?? []);
  const response = await options.transport(url, { method: 'POST', headers, body, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  let json: Record<string, unknown>;
  try {
    json = await response.json() as Record<string, unknown>;
  } catch {
    throw new AAuthError('server_error', `the token exchange at ${url.href} answered ${response.status} without JSON`, { reason: 'malformed' }, { status: 502 });
  }
  const r = TOKEN_EXCHANGE.response;
  if (response.status !== 200) {
    const code = (typeof json.error === 'string' ? json.error : 'server_error') as WireErrorCode;
    throw new AAuthError(code, typeof json.error_description === 'string' ? json.error_description : `token exchange refused (${response.status})`, { reason: 'exchange_refused' }, { status: response.status });
  }
  const token = json[r.accessToken];
  if (typeof token !== 'string' || token.length === 0) throw new AAuthError('server_error', `the token exchange at ${url.href} returned no access_token`, { field: r.accessToken, reason: 'missing' }, { status: 502 });
  const expiresIn = json[r.expiresIn];
  return { token, expiresIn: typeof expiresIn === 'number' ? expiresIn : undefined };
}
