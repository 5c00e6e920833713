/**
 * Deferred responses at a resource (2026-03 §Deferred Responses, §Resource Interaction, §Pending
 * URL Security): a route answers `202` with an unguessable pending URL on its own origin, bound to
 * the key that signed the request; polls by that key get `202` until the application completes
 * (or denies) the request, then the final response once. Afterwards the URL is unknown (`404`,
 * §Terminal Responses). A deferral that needs the user carries a single-use interaction code
 * (`require=interaction`) the application's interaction page looks up with `byCode`.
 *
 * In the current profile (draft-hardt-oauth-aauth-protocol §Deferred Responses, §Interaction
 * Required, §Resource-Managed Authorization) the `202` carries `AAuth-Requirement:
 * requirement=interaction; url="…"; code="…"` (the resource's `interactionEndpoint`, a Crockford
 * base32 code compared case-insensitively without hyphens, §Interaction Code Format), the body is
 * `{"status": "pending"}`, and refusals are RFC 9457 problems. Each deferral keeps the profile of
 * the request it deferred.
 *
 * In memory and bounded; one instance per resource.
 */
import { randomBytes, randomInt } from 'node:crypto';
import {
  AAUTH_CURRENT, AAuthError, PROFILE, Waiters, generateInteractionCode, isInteractionUrl, normalizeInteractionCode, problemResponse, serializeChallenge, serializeRequirement,
  type ProfileName, type WireErrorCode,
} from '@aauth-ts/core';

/** The answer the application gives a deferred request in the end. */
export interface FinalResponse {
  /** Default 200. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or bytes are sent as they are; anything else as JSON. */
  readonly body?: unknown;
}

export interface DeferOptions {
  /** `require=interaction`: the user must visit the resource's `interaction_endpoint` with a code first (§Resource Interaction). */
  readonly interaction?: boolean;
  /** `Retry-After` on every pending answer, seconds. Default 0 (§Pending Response: poll at once, with `Prefer: wait`). */
  readonly retryAfter?: number;
  /** How long the agent may poll before the request expires (`408 expired`), seconds. Default: the resource's `deferralLifetime`. */
  readonly lifetimeSeconds?: number;
}

/** One deferred request, as the application holds it. */
export interface Deferral {
  readonly id: string;
  /** The absolute pending URL (`Location`). */
  readonly location: string;
  /** The interaction code, when the deferral needs the user. */
  readonly code: string | undefined;
  /** The agent that made the request, when identified (for the interaction page). */
  readonly agent: string | undefined;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  /** The final response, delivered to the next poll (once). A second call is ignored. */
  complete(final: FinalResponse): void;
  /** End with `403 denied` (§Polling Error Codes). */
  deny(description: string): void;
}

/** What the adapter writes: status, headers, and a JSON value, a string or bytes. */
export interface ResourceAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface DeferralStoreOptions {
  /** The resource's origin: pending URLs live on it (§Pending URL Security). */
  readonly origin: URL;
  /** Current profile: the `url` of `requirement=interaction` (the resource's interaction page). */
  readonly interactionEndpoint?: string | undefined;
  readonly pendingPath: string;
  readonly lifetimeSeconds: number;
  readonly maxEntries: number;
  /** Longest a poll is held for `Prefer: wait=N`, seconds. */
  readonly maxWaitSeconds: number;
  readonly now: () => number;
}

interface Entry {
  readonly deferral: Deferral;
  readonly profile: ProfileName;
  readonly thumbprint: string;
  readonly retryAfter: number;
  final: ResourceAnswer | undefined;
  readonly waiters: Waiters;
}

/** §Why Restrict Interaction Code Character Set: unreserved characters only; no hyphens (§User Interaction), no case to get wrong. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;
const NO_STORE = 'no-store';
const H = PROFILE.headers;
const D = PROFILE.deferred;

/** A code as it is held: a current-profile code without its presentational hyphens. */
function codeKey(code: string): string {
  return code.replace(/-/g, '');
}

function newCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

function error(profile: ProfileName, code: 'denied' | 'expired' | 'invalid_request' | 'access_denied', description: string, status?: number): ResourceAnswer {
  const refusal = new AAuthError(code as WireErrorCode, description, {}, { status: status ?? PROFILE.errors[code] });
  if (profile === 'aauth-current') {
    const problem = problemResponse(refusal);
    return { status: problem.status, headers: { ...problem.headers, [H.cacheControl]: NO_STORE }, body: problem.body };
  }
  return { status: refusal.status, headers: { [H.cacheControl]: NO_STORE }, body: refusal.toJSON() };
}

function checkFinal(final: FinalResponse): ResourceAnswer {
  const status = final.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599 || status === 202) throw new TypeError('Deferral.complete: "status" must be a final HTTP status (200-599, not 202)');
  const headers = final.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string')) throw new TypeError('Deferral.complete: "headers" must map names to strings');
  return { status, headers: { ...headers, [H.cacheControl]: headers[H.cacheControl] ?? NO_STORE }, body: final.body };
}

export class DeferralStore {
  readonly #options: DeferralStoreOptions;
  readonly #byId = new Map<string, Entry>();
  readonly #byCode = new Map<string, Entry>();

  constructor(options: DeferralStoreOptions) {
    this.#options = options;
  }

  /** Pending requests held now. */
  get size(): number {
    return this.#byId.size;
  }

  /**
   * Defer a request signed by `thumbprint` (the poll must be signed by the same key). Throws a
   * `503` `AAuthError` when the store is full of live deferrals.
   */
  create(thumbprint: string, agent: string | undefined, options: DeferOptions = {}, profile: ProfileName = 'aauth-2026-03'): { deferral: Deferral; answer: ResourceAnswer } {
    const o = this.#options;
    const current = profile === 'aauth-current';
    if (current && options.interaction === true && !isInteractionUrl(o.interactionEndpoint)) {
      throw new TypeError('aauthDefer({ interaction: true }) in the current profile needs "interactionEndpoint": an https URL without query or fragment, the url of requirement=interaction');
    }
    const retryAfter = options.retryAfter ?? 0;
    if (!Number.isInteger(retryAfter) || retryAfter < 0) throw new TypeError('aauthDefer: "retryAfter" must be a non-negative integer (seconds)');
    const lifetime = options.lifetimeSeconds ?? o.lifetimeSeconds;
    if (!Number.isInteger(lifetime) || lifetime <= 0) throw new TypeError('aauthDefer: "lifetimeSeconds" must be a positive integer');
    const now = o.now();
    if (this.#byId.size >= o.maxEntries) this.sweep(now);
    if (this.#byId.size >= o.maxEntries) {
      throw new AAuthError('server_error', 'too many deferred requests are pending; retry shortly', { reason: 'deferrals_full' }, { status: 503, headers: { [H.retryAfter]: '1' } });
    }
    // §Pending URL Security: unguessable (128 bits), on this resource's origin.
    const id = randomBytes(16).toString('base64url');
    let code: string | undefined;
    if (options.interaction === true) {
      do code = current ? generateInteractionCode() : newCode(); while (this.#byCode.has(codeKey(code)));
    }
    const location = new URL(`${o.pendingPath}/${id}`, o.origin).href;
    const entry: Entry = {
      profile,
      thumbprint,
      retryAfter,
      final: undefined,
      waiters: new Waiters(),
      deferral: {
        id,
        location,
        code,
        agent,
        expiresAt: now + lifetime,
        complete: (final) => this.#settle(entry, checkFinal(final)),
        deny: (description) => this.#settle(entry, error(profile, 'denied', description)),
      },
    };
    this.#byId.set(id, entry);
    if (code !== undefined) this.#byCode.set(codeKey(code), entry);
    return { deferral: entry.deferral, answer: this.#pendingAnswer(entry) };
  }

  /**
   * The live deferral waiting for the user with this interaction code; a code works until the
   * deferral is settled. A current-profile code matches as the user may type it: any case, with
   * or without hyphens, `I`/`L` for `1` and `O` for `0` (§Interaction Code Format).
   */
  byCode(code: string): Deferral | undefined {
    const entry = this.#byCode.get(code) ?? this.#byCode.get(codeKey(normalizeInteractionCode(code)));
    if (entry === undefined || entry.final !== undefined) return undefined;
    if (entry.deferral.expiresAt <= this.#options.now()) return undefined;
    return entry.deferral;
  }

  /**
   * Answer a poll of pending id `id` signed by `thumbprint` (verified by the caller):
   * unknown → `404`; another key → `403`; expired → `408 expired` (once); settled → the final
   * response (once); else `202`, held up to `waitSeconds` (`Prefer: wait`) for the app to settle.
   */
  async poll(id: string, thumbprint: string, waitSeconds = 0, profile: ProfileName = 'aauth-2026-03'): Promise<ResourceAnswer> {
    const entry = this.#byId.get(id);
    if (entry === undefined) return error(profile, 'invalid_request', 'no such pending request (unknown, or already answered)', 404);
    // §Pending URL Security: "Servers MUST verify the agent's identity on every GET poll".
    if (entry.thumbprint !== thumbprint) return error(entry.profile, 'access_denied', 'this pending request belongs to another key');
    const wait = Math.min(Math.max(0, waitSeconds), this.#options.maxWaitSeconds);
    if (entry.final === undefined && wait > 0) await entry.waiters.wait(wait);
    if (entry.final === undefined && entry.deferral.expiresAt <= this.#options.now()) {
      this.#drop(entry);
      return error(entry.profile, 'expired', 'the deferred request expired before it was completed');
    }
    if (entry.final === undefined) return this.#pendingAnswer(entry);
    this.#drop(entry);
    return entry.final;
  }

  /** Forget deferrals that expired before `now` and were never polled again. */
  sweep(now: number = this.#options.now()): void {
    for (const entry of this.#byId.values()) {
      if (entry.deferral.expiresAt <= now) {
        if (entry.final === undefined) this.#settle(entry, error(entry.profile, 'expired', 'the deferred request expired before it was completed'));
        // Expired and never collected: keep the 408 for one poll, but not beyond twice the lifetime.
        else if (entry.deferral.expiresAt + this.#options.lifetimeSeconds <= now) this.#drop(entry);
      }
    }
  }

  #pendingAnswer(entry: Entry): ResourceAnswer {
    const { location, code } = entry.deferral;
    const headers: Record<string, string> = { [H.location]: location, [H.retryAfter]: String(entry.retryAfter), [H.cacheControl]: NO_STORE };
    if (entry.profile === 'aauth-current') {
      const url = this.#options.interactionEndpoint;
      if (code !== undefined && url !== undefined) headers[AAUTH_CURRENT.headers.requirement] = serializeRequirement({ requirement: 'interaction', url, code });
      return { status: 202, headers, body: { [AAUTH_CURRENT.deferred.status]: AAUTH_CURRENT.deferred.pending } };
    }
    const body: Record<string, string> = { [D.status]: D.pending, [D.location]: location };
    if (code !== undefined) {
      headers[H.challenge] = serializeChallenge({ require: 'interaction', code });
      body[D.require] = 'interaction';
      body[D.code] = code;
    }
    return { status: 202, headers, body };
  }

  #settle(entry: Entry, final: ResourceAnswer): void {
    if (entry.final !== undefined || !this.#byId.has(entry.deferral.id)) return;
    entry.final = final;
    // §Interaction Code Security: single-use; it ends with the request it was bound to.
    if (entry.deferral.code !== undefined) this.#byCode.delete(codeKey(entry.deferral.code));
    entry.waiters.wakeAll();
  }

  #drop(entry: Entry): void {
    this.#byId.delete(entry.deferral.id);
    if (entry.deferral.code !== undefined) this.#byCode.delete(codeKey(entry.deferral.code));
    entry.waiters.wakeAll();
  }

}
