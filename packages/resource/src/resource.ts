/**
 * The framework-neutral resource: verify a request (2026-03 §Request Verification), decide a
 * route's requirement (§Requirement Levels), and publish metadata (§Resource Metadata). Adapters
 * (express here; others can follow) only translate requests and answers.
 */
import {
  AAuthError, GuardedFetcher, KeyDiscovery, PROFILE, SignatureError, getHeader, guardStoreCall, isAAuthError, logDecision, missingComponents, publishedComponents, refusalOf, toJwks, verifyRequest,
  type DecisionSubject, type FetcherStats, type SharedStore, type JwkSet, type ResourceMetadata, type SignableRequest, type VerifiedRequest,
} from '@aauth-ts/core';
import { authTokenChallenge, levelChallenge } from './challenge.js';
import type { AAuthContext } from './context.js';
import { resolveOptions, type ResolvedOptions, type ResourceOptions } from './options.js';
import type { Requirement } from './requirement.js';
import { ReplayGuard, replayedError } from './replay-guard.js';
import { DeferralStore, type DeferOptions, type Deferral, type ResourceAnswer } from './deferral-store.js';
import { answerResourceTokenRequest } from './resource-token-endpoint.js';
import { KeyResolver, type CallerInfo } from './resolve-key.js';

/**
 * At the resource every request-verification failure is a `401` (2026-03 §Request Verification:
 * "Any failure MUST result in a 401 response with the appropriate error code"). Core reports
 * unparseable headers as `invalid_request`; here they become `invalid_signature`, message kept.
 */
function asVerificationError(err: unknown): unknown {
  if (!isAAuthError(err) || err.status >= 500) return err;
  if (err.status === 401 && err.code !== 'invalid_request') return err;
  const code = err.code === 'invalid_request' || err.status !== 401 ? 'invalid_signature' : err.code;
  return new SignatureError(code, err.message, { ...err.detail, cause: err }, { status: 401, extras: { ...err.extras } });
}

export interface ResourceCacheStats {
  readonly documents: FetcherStats;
  readonly refetchMarks: number;
  readonly tokens: { readonly entries: number; readonly bytes: number } | undefined;
}

export class AAuthResource {
  readonly options: ResolvedOptions;
  /** Metadata/JWKS discovery with its cache (share it with an agent on the same app). */
  readonly keys: KeyDiscovery;
  /** Deferred requests (§Deferred Responses): the interaction page finds one with `deferrals.byCode(code)`. */
  readonly deferrals: DeferralStore;
  readonly #resolver: KeyResolver;
  readonly #replay: ReplayGuard | undefined;
  readonly #metadata: ResourceMetadata;
  readonly #jwks: JwkSet;

  constructor(options: ResourceOptions) {
    this.options = resolveOptions(options);
    this.keys = this.options.keyDiscovery ?? new KeyDiscovery(new GuardedFetcher(this.options.fetcher));
    this.#resolver = new KeyResolver(this.options, this.keys);
    const o = this.options;
    this.#replay = o.replay === false || o.store !== undefined ? undefined : new ReplayGuard(2 * o.signatureWindow, o.replay.maxEntries);
    const components = publishedComponents(o.signatureComponents, o.additionalSignatureComponents);
    this.#metadata = Object.freeze({
      resource: o.resource,
      jwks_uri: new URL(o.jwksPath, o.origin).href,
      ...(o.clientName === undefined ? {} : { client_name: o.clientName }),
      ...(o.scopeDescriptions === undefined ? {} : { scope_descriptions: { ...o.scopeDescriptions } }),
      // §Covered Components: what this resource requires beyond the draft's four, so agents can sign it up front.
      ...(components.length === 0 ? {} : { [PROFILE.signatureComponents.metadataMember]: components }),
      ...(o.logoUri === undefined ? {} : { logo_uri: o.logoUri }),
      ...(o.logoDarkUri === undefined ? {} : { logo_dark_uri: o.logoDarkUri }),
      ...(o.resourceTokenPath === undefined ? {} : { resource_token_endpoint: new URL(o.resourceTokenPath, o.origin).href }),
      ...(o.interactionEndpoint === undefined ? {} : { interaction_endpoint: o.interactionEndpoint }),
    });
    this.deferrals = new DeferralStore({
      origin: o.origin, pendingPath: o.pendingPath, lifetimeSeconds: o.deferralLifetime, maxEntries: o.maxDeferrals, maxWaitSeconds: o.maxPollWait, now: o.now,
    });
    this.#jwks = toJwks([o.signingKey]);
  }

  /**
   * What the caches fed by callers hold now (each is bounded): fetched metadata/JWKS documents and
   * remembered failures, JWKS refetch marks, verified tokens.
   */
  cacheStats(): ResourceCacheStats {
    return { documents: this.keys.fetcher.stats(), refetchMarks: this.keys.refetchMarks, tokens: this.#resolver.tokenCacheStats };
  }

  /** `/.well-known/aauth-resource.json` (2026-03 §Resource Metadata). */
  get metadata(): ResourceMetadata {
    return this.#metadata;
  }

  /** The document at `jwks_uri`: public members only. */
  get jwks(): JwkSet {
    return this.#jwks;
  }

  /** Path of the metadata document. */
  get metadataPath(): string {
    return `/.well-known/${PROFILE.wellKnown.resource}`;
  }

  /** Is the request signed at all (any of `Signature`, `Signature-Input`, `Signature-Key`)? */
  static isSigned(request: Pick<SignableRequest, 'headers'>): boolean {
    const h = PROFILE.headers;
    return [h.signature, h.signatureInput, h.signatureKey].some((name) => getHeader(request.headers, name) !== undefined);
  }

  /**
   * Verify a request. Steps:
   *  1. unsigned (none of the three signature headers) → `undefined`; the route decides;
   *  2. `@authority` is one of this resource's (no cross-server replay of a captured signature);
   *  3. core `verifyRequest`: components (`signatureComponents` + `additionalSignatureComponents`), `created` window,
   *     `Content-Digest`, key resolution by scheme (tokens verified, or taken from the
   *     verified-token cache; an `x509` chain validated to the trust anchors), RFC 9421 signature;
   *  4. replay: a state-changing request (what was signed, by which key) is accepted once inside
   *     the window; the cache is partitioned by caller class with per-agent quotas (`ReplayGuard`).
   * Failures are `401` `AAuthError`s, but for a full replay partition (503) or quota (429). Does not check: route requirements (see `authorize`).
   * A failure is a decision: logged as `refused` (`startedAt`, a `performance.now()` reading, dates it).
   */
  async verify(request: SignableRequest, startedAt: number = performance.now()): Promise<AAuthContext | undefined> {
    if (!AAuthResource.isSigned(request)) return undefined;
    try {
      return await this.#verify(request);
    } catch (err) {
      this.#logRefusal('verification', {}, err, startedAt);
      throw err;
    }
  }

  async #verify(request: SignableRequest): Promise<AAuthContext> {
    const o = this.options;
    const now = o.now();
    let verified: VerifiedRequest<CallerInfo>;
    try {
      const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
      if (!o.authorities.has(url.host.toLowerCase())) {
        throw new SignatureError('invalid_signature', `the request's @authority ${JSON.stringify(url.host)} is not this resource's`, { field: '@authority', reason: 'mismatch', actual: url.host });
      }
      verified = await verifyRequest(request, {
        resolveKey: (key) => this.#resolver.resolve(key),
        requiredComponents: o.additionalSignatureComponents,
        componentPolicy: o.signatureComponents,
        windowSeconds: o.signatureWindow,
        now,
      });
    } catch (err) {
      throw asVerificationError(err);
    }
    if (o.replay !== false && o.replay.methods.has(request.method.toUpperCase())) {
      // 2026-03 §Replay Protection: servers MAY cache recently seen signatures within the window.
      // The in-memory guard answers synchronously: no await on the default path.
      if (this.#replay !== undefined) this.#replay.check(verified.replayKey, verified.info, now);
      else if (o.store !== undefined) await this.#checkShared(o.store, verified.replayKey, verified.created);
    }
    return {
      ...verified.info,
      thumbprint: verified.thumbprint,
      jwk: verified.jwk,
      components: verified.components,
      created: verified.created,
    };
  }

  /**
   * The replay check on a store shared by several instances: the first to remember the key wins.
   * A request signed before the store's memory began (Redis came back empty) may have been
   * accepted already, so it is refused too; signed again, it passes.
   */
  async #checkShared(store: SharedStore, replayKey: string, created: number): Promise<void> {
    const guard = <T>(call: Promise<T>): Promise<T> => guardStoreCall(call, this.options.logger, 'resource', 'the shared replay cache');
    const fresh = await guard(store.add(`replay:${replayKey}`, '1', 2 * this.options.signatureWindow * 1000));
    if (!fresh) throw replayedError();
    // Read after the write: a restart between the two makes `since` later, never earlier.
    if (created * 1000 < await guard(store.rememberedSince())) {
      throw new AAuthError('temporarily_unavailable', 'the shared replay cache was reset after this request was signed, so its single use cannot be checked; sign it again', { reason: 'store_reset' },
        { status: 503, headers: { [PROFILE.headers.retryAfter]: '0' } });
    }
  }

  /**
   * Decide a route's requirement for a verified (or unsigned) request; resolves when met, else
   * rejects with the `AAuthError` to answer:
   *  - a route component not covered → `401 invalid_signature` with `required_components`;
   *  - `pseudonym`: unsigned → `401 require=pseudonym`;
   *  - `identity`: unsigned or `hwk` → `401 require=identity`;
   *  - `auth-token`: unsigned or `hwk` → `401 require=identity` (a resource token must name an
   *    agent); identified without an auth token → `401 require=auth-token` with a resource token
   *    for the route's scope; an auth token lacking a scope → the same challenge (step-up), or
   *    `403 insufficient_scope` when the route turns step-up off.
   * Each outcome is one `aauth decision` line on the `logger`, timed from `startedAt` (a
   * `performance.now()` reading taken when the request arrived; default now).
   */
  async authorize(context: AAuthContext | undefined, requirement: Requirement, startedAt: number = performance.now()): Promise<void> {
    const about: DecisionSubject = {
      agent: context?.agent, user: context?.sub, scope: requirement.level === 'auth-token' ? requirement.scopes : undefined,
    };
    try {
      await this.#authorize(context, requirement);
    } catch (err) {
      this.#logRefusal(requirement.level, about, err, startedAt);
      throw err;
    }
    logDecision(this.options.logger, { component: 'resource', decision: requirement.level, resource: this.options.resource, ...about, outcome: 'granted', status: 200, durationMs: performance.now() - startedAt });
  }

  #logRefusal(decision: string, about: DecisionSubject, err: unknown, startedAt: number): void {
    const { error, status } = refusalOf(err);
    logDecision(this.options.logger, { component: 'resource', decision, resource: this.options.resource, ...about, outcome: 'refused', status, error, durationMs: performance.now() - startedAt });
  }

  async #authorize(context: AAuthContext | undefined, requirement: Requirement): Promise<void> {
    if (context !== undefined) {
      const missing = requirement.components.filter((c) => !context.components.includes(c));
      if (missing.length > 0) throw missingComponents(missing, [...new Set([...context.components, ...requirement.components])], 'this route requires the signature to cover');
    }
    switch (requirement.level) {
      case 'pseudonym':
        if (context === undefined) throw levelChallenge('pseudonym', 'invalid_signature', 'this resource requires a signed request');
        return;
      case 'identity':
        if (context === undefined) throw levelChallenge('identity', 'invalid_signature', 'this resource requires a signed request from an identified agent');
        if (context.agent === undefined) throw levelChallenge('identity', 'invalid_agent_token', 'this resource requires agent identity (an agent token or jwks_uri), not a pseudonymous key');
        return;
      case 'auth-token': {
        if (context === undefined) throw levelChallenge('identity', 'invalid_signature', 'this resource requires a signed request from an identified agent');
        if (context.agent === undefined) throw levelChallenge('identity', 'invalid_agent_token', 'this resource requires agent identity before it can issue a resource token');
        const caller = { agent: context.agent, thumbprint: context.thumbprint };
        if (context.tokenType !== 'auth') {
          throw await authTokenChallenge(this.options, caller, requirement.scopes, 'invalid_auth_token', 'this resource requires an auth token');
        }
        const lacking = requirement.scopes.filter((s) => !context.scopes.includes(s));
        if (lacking.length === 0) return;
        const message = `the auth token does not grant ${lacking.map((s) => `"${s}"`).join(', ')}`;
        if (!requirement.stepUp) throw new AAuthError('insufficient_scope', message, { field: 'scope', reason: 'insufficient', expected: requirement.scopes });
        throw await authTokenChallenge(this.options, caller, requirement.scopes, 'insufficient_scope', message);
      }
    }
  }

  /**
   * Defer a verified request (2026-03 §Deferred Responses): returns the deferral the application
   * completes later and the `202` to send now (`Location`, `Retry-After`, `Cache-Control:
   * no-store`, `{status: "pending", location}`; with `interaction`, `AAuth: require=interaction;
   * code="…"` and the code in the body). The pending URL is bound to the key that signed the
   * request. An unsigned request cannot be deferred (no key to bind the poll to): `TypeError`.
   */
  defer(context: AAuthContext | undefined, options?: DeferOptions): { deferral: Deferral; answer: ResourceAnswer } {
    if (context === undefined) throw new TypeError('aauthDefer(): the request is not signed, so no poll could be tied to its key; put requireSignature() (or another require…()) before the route');
    return this.deferrals.create(context.thumbprint, context.agent, options);
  }

  /**
   * Answer a `GET` of pending URL `id` (§Polling with GET): unsigned → `401 require=pseudonym`;
   * then see `DeferralStore.poll` (same key only, `202` until settled, the final response once).
   */
  async poll(context: AAuthContext | undefined, id: string, waitSeconds?: number): Promise<ResourceAnswer> {
    if (context === undefined) throw levelChallenge('pseudonym', 'invalid_signature', 'a pending URL is polled with a request signed by the key of the original request');
    return this.deferrals.poll(id, context.thumbprint, waitSeconds);
  }

  /** Answer a resource token request (§Resource Token Endpoint); see `answerResourceTokenRequest`. */
  resourceTokenRequest(context: AAuthContext | undefined, body: Uint8Array | undefined): Promise<ResourceAnswer> {
    return answerResourceTokenRequest(this.options, context, body);
  }
}

/** A `403 access_denied` for policy refusals decided by application code (authenticated, not authorised). */
export function accessDenied(description: string): AAuthError {
  return new AAuthError('access_denied', description, { reason: 'policy' });
}
