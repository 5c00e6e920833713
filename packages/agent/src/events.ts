/**
 * Hop events: one per protocol step, so an application (or the demo UI) can show the flow as it
 * happens. Raw tokens are included on purpose — the events are for display and debugging; an
 * application that logs them decides what to redact.
 */
import type { AaAuthTokenClaims, AaResourceTokenClaims, AuthTokenClaims, Challenge, DelegatedTokenClaims, MissionBlob, ResourceTokenClaims, SignatureKeyScheme } from '@aauth-ts/core';

export type TokenRequestMode = 'resource' | 'chained' | 'refresh';

export type AAuthEvent =
  /** A request to a resource was signed (`attempt` 2 and on are retries with a fresh token). */
  | { readonly type: 'request.signed'; readonly method: string; readonly url: string; readonly scheme: SignatureKeyScheme; readonly token?: string; readonly attempt: number; readonly headers: Readonly<Record<string, string>> }
  /** Current profile: a `401` carried `AAuth-Requirement` with this requirement. */
  | { readonly type: 'requirement'; readonly url: string; readonly requirement: string }
  /** Current profile: the person server issued a person token for `resource` (the person token hop). */
  | { readonly type: 'person-token.issued'; readonly personServer: string; readonly resource: string; readonly personToken: string; readonly mission?: string }
  /** Current profile: a `requirement=auth-token` resource token was verified. */
  | { readonly type: 'resource-token.verified'; readonly resource: string; readonly resourceToken: string; readonly claims: AaResourceTokenClaims }
  /** Current profile: an `aa-auth+jwt` was received and verified. */
  | { readonly type: 'auth-token.issued'; readonly authServer: string; readonly resource: string; readonly authToken: string; readonly claims: AaAuthTokenClaims }
  /** Current profile: the person server approved a mission; `resources` are those it sent person tokens for. */
  | { readonly type: 'mission.approved'; readonly s256: string; readonly blob: MissionBlob; readonly resources: readonly string[] }
  /** A `401` carried an `AAuth` challenge; the resource token was verified. */
  | { readonly type: 'challenge'; readonly url: string; readonly challenge: Challenge; readonly resourceToken: string; readonly claims: ResourceTokenClaims }
  /** A signed request to the token endpoint (or a pending URL) is about to be sent. */
  | { readonly type: 'token.request'; readonly url: string; readonly mode: TokenRequestMode; readonly body: Readonly<Record<string, string>> }
  /** A `require=delegated-token` challenge is answered by token exchange at `authServer`. */
  | { readonly type: 'delegation.challenge'; readonly url: string; readonly authServer: string; readonly audience: string; readonly scope: string }
  | { readonly type: 'token.response'; readonly url: string; readonly status: number; readonly body: unknown }
  /** Current profile: a signed request to a Person Server endpoint (person token, auth token, mission) and its first answer. */
  | { readonly type: 'ps.request'; readonly url: string; readonly body: Readonly<Record<string, unknown>> }
  | { readonly type: 'ps.response'; readonly url: string; readonly status: number; readonly body: unknown }
  /** `202`: the auth server needs the user (or another approval) before it issues a token, or a resource deferred its answer. */
  | { readonly type: 'pending'; readonly location: string; readonly retryAfter: number; readonly require?: string; readonly code?: string }
  | { readonly type: 'interaction'; readonly url: string; readonly code: string }
  | { readonly type: 'poll'; readonly location: string; readonly status: number }
  /** Current profile: the wait at a pending URL was given up and the server told so (`DELETE`). */
  | { readonly type: 'pending.cancelled'; readonly location: string; readonly status: number }
  | { readonly type: 'token.issued'; readonly authServer: string; readonly resource: string; readonly authToken: string; readonly claims: AuthTokenClaims; readonly mode: TokenRequestMode }
  /** A delegated token (`at+jwt`, with the `act` chain) was obtained by token exchange and verified. */
  | { readonly type: 'delegated-token.issued'; readonly authServer: string; readonly resource: string; readonly token: string; readonly claims: DelegatedTokenClaims }
  | { readonly type: 'token.cached'; readonly resource: string; readonly authToken: string }
  | { readonly type: 'retry'; readonly method: string; readonly url: string }
  /** The request is signed again, once, covering the components a `required_components` refusal named. */
  | { readonly type: 'resign'; readonly method: string; readonly url: string; readonly components: readonly string[] }
  | { readonly type: 'response'; readonly method: string; readonly url: string; readonly status: number; readonly attempt: number };

export type EventSink = (event: AAuthEvent) => void;

/** Call the application's sink; a throwing sink must not break the protocol flow. */
export function emit(sink: EventSink | undefined, event: AAuthEvent): void {
  if (!sink) return;
  try {
    sink(event);
  } catch {
    // The sink is for observation only.
  }
}
