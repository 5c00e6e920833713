/**
 * The resource token endpoint, agent side (2026-03 §Resource Token Endpoint): when a resource
 * publishes `resource_token_endpoint`, an agent MAY ask it for a resource token before its first
 * call (pre-authorization) or for broader scopes (scope upgrade). `resourceTokenRequest()` sends
 * the signed JSON `POST {"scope": "…"}` and returns the raw `Response`;
 * `processResourceTokenResponse()` checks status (an error body → `ResponseError`), content type,
 * JSON object and member types, and returns `{resourceToken, authServer, scope}`.
 *
 * Does not verify the resource token: the client does that exactly as for a `401` challenge
 * (signature with the resource's JWKS, `iss`, `agent`, `agent_jkt`, `aud` = the named auth server).
 */
import { PROFILE } from '@aauth-ts/core';
import { H } from '../lib/header-names.js';
import type { RequestSigner } from '../identity/agent-session.js';
import { signOutgoing } from '../signing/sign-outgoing.js';
import { JSON_MEDIA_TYPE } from '../lib/media-type.js';
import { errorFrom, invalid, isJsonContentType, readJson } from '../token-endpoint/process-token-response.js';
import type { TokenEndpointCallOptions } from '../token-endpoint/token-request.js';
import { createTransport } from '../transport/transport.js';

const M = PROFILE.resourceTokenEndpoint;

export interface ResourceTokenResult {
  readonly resourceToken: string;
  /** The auth server to present it to (`auth_server`). */
  readonly authServer: string;
  /** The scope the resource put in the token; MAY be narrower than asked. */
  readonly scope: string | undefined;
}

export async function resourceTokenRequest(endpoint: string | URL, signer: RequestSigner, scope: string, options: TokenEndpointCallOptions = {}): Promise<Response> {
  if (typeof scope !== 'string' || scope.trim() === '') throw new TypeError('resourceTokenRequest: "scope" must be a non-empty space-separated string');
  const url = new URL(endpoint);
  const bytes = new TextEncoder().encode(JSON.stringify({ [M.scope]: scope }));
  const signed = signOutgoing({ method: 'POST', url, headers: { [H.contentType]: JSON_MEDIA_TYPE }, body: bytes }, signer.key, await signer.identity());
  const transport = options.transport ?? createTransport();
  return transport(url, { method: 'POST', headers: signed, body: bytes, signal: options.signal });
}

export async function processResourceTokenResponse(response: Response): Promise<ResourceTokenResult> {
  const { json, text } = await readJson(response);
  if (response.status !== 200) throw errorFrom(response, json, text);
  if (!isJsonContentType(response)) throw invalid(`resource token response content type is ${JSON.stringify(response.headers.get(PROFILE.headers.contentType))}, not JSON`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('resource token response is not a JSON object', text.slice(0, 200));
  const body = json as Record<string, unknown>;
  const resourceToken = body[M.resourceToken];
  const authServer = body[M.authServer];
  const scope = body[M.scope];
  if (typeof resourceToken !== 'string' || resourceToken.length === 0) throw invalid(`resource token response has no "${M.resourceToken}" string`);
  if (typeof authServer !== 'string' || authServer.length === 0) throw invalid(`resource token response has no "${M.authServer}" string`);
  if (scope !== undefined && typeof scope !== 'string') throw invalid(`"${M.scope}" must be a string`);
  return { resourceToken, authServer, scope };
}
