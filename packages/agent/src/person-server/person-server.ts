/**
 * The agent's side of its Person Server in the current profile (draft-hardt-oauth-aauth-protocol
 * §Person Server, §Person Token Endpoint, §PS Token Endpoint, §Mission Creation): the PS's
 * `aauth-person.json` (its `issuer` equal to the URL it was fetched from, §Metadata Documents),
 * endpoints on the PS's origin, and signed JSON POSTs presenting the agent token
 * (`scheme=jwt`) whose signature covers `content-type` and `content-digest` (§Covered Components:
 * unconditional on bodied requests to a PS). A `202` is waited out with the same poller as
 * everywhere, the interaction `url` taken from `AAuth-Requirement`, and cancelled with `DELETE`
 * when the wait is given up.
 */
import { AAUTH_CURRENT, MalformedError, isLoopbackHost, type IdentifierPolicy, type KeyDiscovery, type PersonServerMetadata } from '@aauth-ts/core';
import { pendingEndedError } from '../errors.js';
import { emit, type EventSink } from '../events.js';
import type { RequestSigner } from '../identity/agent-session.js';
import { H } from '../lib/header-names.js';
import { JSON_MEDIA_TYPE } from '../lib/media-type.js';
import { coveredBy, refusedFor } from '../signing/required-components.js';
import { signOutgoing } from '../signing/sign-outgoing.js';
import { pollUntilSettled, type AwaitPendingOptions } from '../token-endpoint/await-pending.js';
import { preferWait } from '../token-endpoint/members.js';
import type { Transport } from '../transport/transport.js';
import { processPsResponse, type PsResult } from './ps-response.js';

/** The PS endpoints an agent calls (§Person Server Metadata). */
export type PsEndpoint = 'person_token_endpoint' | 'auth_token_endpoint' | 'mission_endpoint';

export interface PersonServerContext {
  readonly signer: RequestSigner;
  readonly transport: Transport;
  /** Metadata and keys, in the current profile. */
  readonly keys: KeyDiscovery;
  readonly identifiers: IdentifierPolicy;
  readonly onEvent: EventSink | undefined;
  readonly preferWaitSeconds: number;
  /**
   * How a `202` at `origin` is waited out (deadline, signals, `onInteraction`); `interaction`
   * replaces the client's own interaction handling for one request (interaction chaining).
   */
  pendingOptions(origin: string, signal: AbortSignal | undefined, interaction?: InteractionRoute): AwaitPendingOptions;
}

/** Where one request's user interaction goes instead of the client's `onInteraction` / `interactionCallback`. */
export type InteractionRoute = Pick<AwaitPendingOptions, 'onInteraction' | 'interactionCallback'>;

const BODY_COMPONENTS: readonly string[] = AAUTH_CURRENT.bodyComponents;

export class PersonServer {
  readonly issuer: string;
  readonly #context: PersonServerContext;

  constructor(issuer: string, context: PersonServerContext) {
    this.issuer = issuer;
    this.#context = context;
  }

  /** The identifier policy under which this PS's tokens are read: its issuer (which may carry a path) accepted exactly. */
  get identifiers(): IdentifierPolicy {
    return this.#context.identifiers;
  }

  /** `{issuer}/.well-known/aauth-person.json`, refused unless its `issuer` is the URL it came from. */
  metadata(): Promise<PersonServerMetadata> {
    return this.#context.keys.currentMetadata(this.issuer, AAUTH_CURRENT.wellKnown.person);
  }

  /**
   * An endpoint the metadata names, which must be https (loopback http in development) on the
   * PS's origin: the document came through the guarded fetcher, the signed POST does not.
   */
  async endpoint(name: PsEndpoint): Promise<URL> {
    const metadata = await this.metadata();
    const value = metadata[name];
    if (typeof value !== 'string') throw new MalformedError('server_error', `the metadata of ${this.issuer} advertises no ${name}`, undefined, { field: name, reason: 'missing' });
    const url = URL.canParse(value) ? new URL(value) : undefined;
    const secure = url !== undefined && (url.protocol === 'https:' || (this.#context.identifiers.allowLoopbackHttp === true && url.protocol === 'http:' && isLoopbackHost(url.hostname)));
    if (!secure || url.origin !== new URL(this.issuer).origin || url.search !== '' || url.hash !== '') {
      throw new MalformedError('server_error', `${name} ${JSON.stringify(value)} is not an https URL on the person server's origin ${new URL(this.issuer).origin}`, value, { field: name, reason: 'origin_mismatch' });
    }
    return url;
  }

  /** A signed JSON POST to `endpoint`, its `202` waited out; the final `200` body. */
  async post(endpoint: URL, body: Readonly<Record<string, unknown>>, signal: AbortSignal | undefined, interaction?: InteractionRoute): Promise<Readonly<Record<string, unknown>>> {
    const { signer, transport, onEvent } = this.#context;
    const bytes = new TextEncoder().encode(JSON.stringify(body));
    const headers = { [H.contentType]: JSON_MEDIA_TYPE, [H.prefer]: preferWait(this.#context.preferWaitSeconds) };
    const send = async (extra: readonly string[]): Promise<{ response: Response; covered: string[] }> => {
      const signed = signOutgoing({ method: 'POST', url: endpoint, headers, body: bytes }, signer.key, await signer.identity(), [...BODY_COMPONENTS, ...extra]);
      emit(onEvent, { type: 'ps.request', url: endpoint.href, body });
      return { response: await transport(endpoint, { method: 'POST', headers: signed, body: bytes, signal }), covered: coveredBy(signed) };
    };
    let { response, covered } = await send([]);
    // A `Signature-Error: invalid_input` naming components: sign once more, covering them.
    const required = await refusedFor(response, covered);
    if (required !== undefined) {
      emit(onEvent, { type: 'resign', method: 'POST', url: endpoint.href, components: required });
      await response.body?.cancel();
      ({ response, covered } = await send(required));
    }
    const result = await processPsResponse(response, { base: endpoint.href, identifiers: this.#context.identifiers });
    emit(onEvent, { type: 'ps.response', url: endpoint.href, status: response.status, body: result });
    if (result.kind === 'done') return result.body;
    return pollUntilSettled<Readonly<Record<string, unknown>>>(result, this.#context.pendingOptions(endpoint.origin, signal, interaction), async (polled, pending) => {
      let next: PsResult;
      try {
        next = await processPsResponse(polled, { base: pending.location, pendingUrl: pending.location, identifiers: this.#context.identifiers });
      } catch (err) {
        // §Polling Error Codes (`denied`, `abandoned`, `expired`, `invalid_code`; 410 once terminal) as typed errors.
        throw pendingEndedError(err, pending.location);
      }
      return next.kind === 'done' ? { done: next.body } : { next };
    });
  }
}
