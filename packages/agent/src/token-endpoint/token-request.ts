/**
 * The token endpoint, request side (2026-03 §Token Endpoint; wire notes §4.1): a signed JSON POST.
 * Returns the raw `Response`; `processTokenResponse()` validates it. Modes by members present:
 * `resource_token` (resource access), + `upstream_token` (call chaining), `auth_token` (refresh).
 * The signature covers the components the issuer metadata lists (§Covered Components); a `401
 * invalid_signature` naming `required_components` it lacks is answered by re-signing once.
 */
import { PROFILE, type TokenRequestMembers } from '@aauth-ts/core';
import { emit, type EventSink, type TokenRequestMode } from '../events.js';
import type { RequestSigner } from '../identity/agent-session.js';
import { H } from '../lib/header-names.js';
import { coveredBy, refusedFor } from '../signing/required-components.js';
import { signOutgoing } from '../signing/sign-outgoing.js';
import { createTransport, type Transport } from '../transport/transport.js';
import { JSON_MEDIA_TYPE } from '../lib/media-type.js';
import { preferWait } from './members.js';

/** Request members with their wire names (`PROFILE.tokenRequest`). */
export type TokenRequestParameters = TokenRequestMembers;

export interface TokenEndpointCallOptions {
  readonly transport?: Transport;
  readonly signal?: AbortSignal;
  /** Ask the server to hold the response up to N seconds (`Prefer: wait=N`, RFC 7240). */
  readonly preferWaitSeconds?: number;
  readonly onEvent?: EventSink;
  /** Components to cover beyond the default (the issuer metadata's `additional_signature_components`). */
  readonly components?: readonly string[];
  /** Told the list a `required_components` refusal named, before the one re-signed request. */
  readonly onRequiredComponents?: (required: readonly string[]) => void;
}

const KNOWN_MEMBERS: ReadonlySet<string> = new Set(Object.values(PROFILE.tokenRequest));

export function modeOf(parameters: TokenRequestParameters): TokenRequestMode {
  if (parameters.auth_token !== undefined) return 'refresh';
  return parameters.upstream_token !== undefined ? 'chained' : 'resource';
}

export async function tokenRequest(tokenEndpoint: string | URL, signer: RequestSigner, parameters: TokenRequestParameters, options: TokenEndpointCallOptions = {}): Promise<Response> {
  const url = new URL(tokenEndpoint);
  const body: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined) continue;
    if (typeof value !== 'string' || !KNOWN_MEMBERS.has(name)) throw new TypeError(`tokenRequest: "${name}" is not a string token request member`);
    body[name] = value;
  }
  const t = PROFILE.tokenRequest;
  if (body[t.resourceToken] === undefined && body[t.authToken] === undefined && body[t.scope] === undefined) {
    throw new TypeError('tokenRequest: one of resource_token, auth_token or scope is required');
  }
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const headers: Record<string, string> = { [H.contentType]: JSON_MEDIA_TYPE };
  if (options.preferWaitSeconds !== undefined) headers[H.prefer] = preferWait(options.preferWaitSeconds);
  const transport = options.transport ?? createTransport();
  const send = async (components: readonly string[]): Promise<{ response: Response; covered: string[] }> => {
    const signed = signOutgoing({ method: 'POST', url, headers, body: bytes }, signer.key, await signer.identity(), components);
    emit(options.onEvent, { type: 'token.request', url: url.href, mode: modeOf(parameters), body });
    return { response: await transport(url, { method: 'POST', headers: signed, body: bytes, signal: options.signal }), covered: coveredBy(signed) };
  };
  const first = await send(options.components ?? []);
  const required = await refusedFor(first.response, first.covered);
  if (required === undefined) return first.response;
  options.onRequiredComponents?.(required);
  emit(options.onEvent, { type: 'resign', method: 'POST', url: url.href, components: required });
  await first.response.body?.cancel();
  return (await send([...(options.components ?? []), ...required])).response;
}
