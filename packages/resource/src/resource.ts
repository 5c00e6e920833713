/**
 * The framework-neutral resource: verify a request (2026-03 §Request Verification), decide a
 * route's requirement (§Requirement Levels), and publish metadata (§Resource Metadata). Adapters
 * (express here; others can follow) only translate requests and answers.
 */
import {
  AAUTH_CURRENT, AAuthError, GuardedFetcher, extend, SharedCache, askChainPolicy, KeyDiscovery, PROFILE, problemResponse, SignatureError, getHeader, guardStoreCall, isAAuthError, logDecision, logsDecisions, missingComponents, refusalOf, verifyRequestNow,
  type DecisionSubject, type FetcherStats, type WireErrorCode, type SharedStore, type AaPersonTokenClaims, type JwkSet, type ProfileName, type SignableRequest, type SignatureKey, type VerifiedRequest, type VerifyRequestOptions,
} from '@aauth-ts/core';
import { authTokenChallenge, delegatedTokenChallenge, levelChallenge } from './challenge.js';
import { currentAuthTokenChallenge, requirementChallenge } from './current-challenge.js';
import { PersonRecords, type PersonRecord } from './person-records.js';
import type { AAuthContext, Delegation } from './context.js';
import { legacyAuthServer, resolveOptions, type ResolvedOptions, type ResourceOptions } from './options.js';
import type { DelegatedRequirement, Requirement } from './requirement.js';
import { ReplayGuard, replayedError } from './replay-guard.js';
import { DeferralStore, type DeferOptions, type Deferral, type ResourceAnswer } from './deferral-store.js';
import { answerResourceTokenRequest } from './resource-token-endpoint.js';
import { KeyResolver, type CachedToken, type CallerInfo } from './resolve-key.js';
import { asCurrentRefusal } from './current-refusal.js';
import { currentSchemes, profileOfRequest } from './profiles.js';
import { resourceJwks, resourceMetadata, type PublishedMetadata } from './metadata.js';

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

/** A challenge that must be built first (it carries a signed resource token), as a rejection. */
function refuseWith(challenge: Promise<AAuthError>): Promise<never> {
  return challenge.then((err) => {
    throw err;
  });
}

/** A verification failure as the request's profile words it. */
function verificationRefusal(profile: ProfileName, err: unknown): unknown {
  return profile === 'aauth-current' ? asCurrentRefusal(err) : asVerificationError(err);
}

export interface ResourceCacheStats {
  readonly documents: FetcherStats;
  readonly refetchMarks: number;
  readonly tokens: { readonly entries: number; readonly bytes: number } | undefined;
  /** Current profile: verified person tokens remembered for step-up (bounded like the token cache). */
  readonly personTokens: number;
}

export class AAuthResource {
  readonly options: ResolvedOptions;
  /** Metadata/JWKS discovery with its cache (share it with an agent on the same app). */
  readonly keys: KeyDiscovery;
  /** Deferred requests (§Deferred Responses): the interaction page finds one with `deferrals.byCode(code)`. */
  readonly deferrals: DeferralStore;
  readonly #resolver: KeyResolver;
  /** Bound once, not per request. */
  readonly #resolveKey: (key: SignatureKey) => Promise<CachedToken> | CachedToken;
  readonly #replay: ReplayGuard | undefined;
  readonly #persons: PersonRecords;
  readonly #metadata: PublishedMetadata;
  readonly #jwks: JwkSet;
  /** `verifyRequest` options per profile, built once (the clock is read per request). */
  readonly #legacyVerification: VerifyRequestOptions<CallerInfo>;
  readonly #currentVerification: VerifyRequestOptions<CallerInfo>;

  constructor(options: ResourceOptions) {
    this.options = resolveOptions(options);
    const shared = this.options.sharedCache === undefined ? undefined : new SharedCache(this.options.sharedCache, this.options.logger, 'resource');
    this.keys = this.options.keyDiscovery ?? new KeyDiscovery(new GuardedFetcher(this.options.fetcher, shared));
    this.#resolver = new KeyResolver(this.options, this.keys, shared);
    this.#resolveKey = (key) => this.#resolver.resolve(key);
    const o = this.options;
    this.#replay = o.replay === false || o.store !== undefined ? undefined : new ReplayGuard(2 * o.signatureWindow, o.replay.maxEntries);
    this.#persons = new PersonRecords(o.tokenCache === false ? 10_000 : o.tokenCache.maxEntries);
    this.#metadata = resourceMetadata(o);
    this.deferrals = new DeferralStore({
      origin: o.origin, interactionEndpoint: o.interactionEndpoint, pendingPath: o.pendingPath, lifetimeSeconds: o.deferralLifetime, maxEntries: o.maxDeferrals, maxWaitSeconds: o.maxPollWait, now: o.now,
    });
    this.#jwks = resourceJwks(o);
    this.#legacyVerification = { resolveKey: this.#resolveKey, requiredComponents: o.additionalSignatureComponents, componentPolicy: o.signatureComponents, windowSeconds: o.signatureWindow };
    // draft-hardt-oauth-aauth-protocol §Verification (Server): its schemes, `alg` parameter ignored, the key's fully specified `alg`, `Signature-Error` refusals.
    this.#currentVerification = { ...this.#legacyVerification, profile: AAUTH_CURRENT, allowedSchemes: currentSchemes(o) };
  }

  /**
   * What the caches fed by callers hold now (each is bounded): fetched metadata/JWKS documents and
   * remembered failures, JWKS refetch marks, verified tokens, person tokens kept for step-up.
   */
  cacheStats(): ResourceCacheStats {
    return { documents: this.keys.fetcher.stats(), refetchMarks: this.keys.refetchMarks, tokens: this.#resolver.tokenCacheStats, personTokens: this.#persons.size };
  }

  /** `/.well-known/aauth-resource.json` (see `resourceMetadata`). */
  get metadata(): PublishedMetadata {
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

  /**
   * The profile `request` is answered in: the one of the token its `Signature-Key` presents when
   * this resource serves both, else the resource's (first) profile. Verification reports the same.
   */
  profileOf(request: Pick<SignableRequest, 'headers'>): ProfileName {
    return profileOfRequest(this.options, request);
  }

  /**
   * The HTTP answer for a refusal (`AAuthError`) in `profile`: 2026-03 `{error, error_description}`
   * (§Error Responses), or an RFC 9457 problem (`application/problem+json`, `{error, detail}`,
   * draft-hardt-oauth-aauth-protocol §Error Response Format) with its `Signature-Error` when the
   * signature or key was the cause. Always `Cache-Control: no-store`.
   */
  static errorAnswer(err: AAuthError, profile: ProfileName): ResourceAnswer {
    const noStore = { [PROFILE.headers.cacheControl]: 'no-store' };
    if (profile === 'aauth-current') {
      const problem = problemResponse(err);
      return { status: problem.status, headers: { ...problem.headers, ...noStore }, body: problem.body };
    }
    return { status: err.status, headers: { ...err.headers, ...noStore }, body: err.toJSON() };
  }

  /** Is the request signed at all (any of `Signature`, `Signature-Input`, `Signature-Key`)? */
  static isSigned(request: Pick<SignableRequest, 'headers'>): boolean {
    const h = PROFILE.headers;
    const { headers } = request;
    return getHeader(headers, h.signature) !== undefined || getHeader(headers, h.signatureInput) !== undefined || getHeader(headers, h.signatureKey) !== undefined;
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
    return this.verifyNow(request, startedAt);
  }

  /**
   * `verify` without a promise when none is needed: with the token's verdict cached and the
   * in-memory replay guard, the context is returned (a refusal thrown) at once; a token to verify
   * or a shared store gives a promise. Same steps and refusals; adapters call this on every request.
   */
  verifyNow(request: SignableRequest, startedAt: number = performance.now()): AAuthContext | undefined | Promise<AAuthContext> {
    if (!AAuthResource.isSigned(request)) return undefined;
    let result: AAuthContext | Promise<AAuthContext>;
    try {
      result = this.#verify(request);
    } catch (err) {
      this.#logRefusal('verification', {}, err, startedAt);
      throw err;
    }
    if (!(result instanceof Promise)) return result;
    return result.catch((err: unknown) => {
      this.#logRefusal('verification', {}, err, startedAt);
      throw err;
    });
  }

  #verify(request: SignableRequest): AAuthContext | Promise<AAuthContext> {
    const o = this.options;
    const now = o.now();
    const profile = this.profileOf(request);
    let verified: VerifiedRequest<CallerInfo> | Promise<VerifiedRequest<CallerInfo>>;
    try {
      const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
      if (!o.authorities.has(url.host.toLowerCase())) {
        throw new SignatureError('invalid_signature', `the request's @authority ${JSON.stringify(url.host)} is not this resource's`, { field: '@authority', reason: 'mismatch', actual: url.host });
      }
      verified = verifyRequestNow(request, profile === 'aauth-current' ? this.#currentVerification : this.#legacyVerification, now);
    } catch (err) {
      throw verificationRefusal(profile, err);
    }
    if (!(verified instanceof Promise)) return this.#accept(request, verified, now, profile);
    return verified.then((v) => this.#accept(request, v, now, profile), (err: unknown) => {
      throw verificationRefusal(profile, err);
    });
  }

  /** After the signature: replay (synchronous in memory, a promise on a shared store), then the context. */
  #accept(request: SignableRequest, verified: VerifiedRequest<CallerInfo>, now: number, profile: ProfileName): AAuthContext | Promise<AAuthContext> {
    const o = this.options;
    if (o.replay !== false && o.replay.methods.has(request.method.toUpperCase())) {
      // 2026-03 §Replay Protection, draft-hardt-oauth-aauth-protocol §Freshness and Replay: servers
      // MAY cache recently seen signatures within the window. The in-memory guard answers
      // synchronously: no promise on the default path.
      const asRefusal = (err: unknown): unknown => (profile === 'aauth-current' ? asCurrentRefusal(err) : err);
      if (this.#replay !== undefined) {
        try {
          this.#replay.check(verified.replayKey, verified.info, now);
        } catch (err) {
          throw asRefusal(err);
        }
      } else if (o.store !== undefined) {
        return this.#checkShared(o.store, verified.replayKey, verified.created).then(() => this.#contextOf(verified), (err: unknown) => {
          throw asRefusal(err);
        });
      }
    }
    return this.#contextOf(verified);
  }

  #contextOf(verified: VerifiedRequest<CallerInfo>): AAuthContext {
    const context: AAuthContext = extend(verified.info, { thumbprint: verified.thumbprint, jwk: verified.jwk, components: verified.components, created: verified.created });
    // Only now has the caller proved it holds the person token's key: remember the token for a
    // later step-up's `presented_jti`.
    if (context.tokenType === 'person') this.#persons.remember(this.#personOf(context), context.thumbprint);
    return context;
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
    return this.authorizeNow(context, requirement, startedAt);
  }

  /**
   * `authorize` without a promise when none is needed: a requirement met, or refused with a
   * challenge that needs no resource token, is decided (returned, thrown) at once; a challenge
   * carrying a resource token, or a chain policy to ask, gives a promise. Same decisions and log
   * lines; adapters call this on every request.
   */
  authorizeNow(context: AAuthContext | undefined, requirement: Requirement, startedAt: number = performance.now()): void | Promise<void> {
    let pending: void | Promise<void>;
    try {
      pending = this.#authorize(context, requirement);
    } catch (err) {
      this.#logAuthorizationRefusal(requirement, context, err, startedAt);
      throw err;
    }
    if (!(pending instanceof Promise)) return this.#logGrant(requirement, context, startedAt);
    return pending.then(() => this.#logGrant(requirement, context, startedAt), (err: unknown) => {
      this.#logAuthorizationRefusal(requirement, context, err, startedAt);
      throw err;
    });
  }

  /** Who and what a decision line names; built only for a line that is written. */
  static #subjectOf(context: AAuthContext | undefined, requirement: Requirement): DecisionSubject {
    return { agent: context?.agent, user: context?.sub, scope: requirement.level === 'auth-token' ? requirement.scopes : undefined };
  }

  #logGrant(requirement: Requirement, context: AAuthContext | undefined, startedAt: number): void {
    if (!logsDecisions(this.options.logger)) return;
    this.#logDecision(requirement.level, AAuthResource.#subjectOf(context, requirement), 'granted', 200, undefined, startedAt);
  }

  #logAuthorizationRefusal(requirement: Requirement, context: AAuthContext | undefined, err: unknown, startedAt: number): void {
    if (!logsDecisions(this.options.logger)) return;
    const about = AAuthResource.#subjectOf(context, requirement);
    if (err instanceof AAuthError && err.detail.reason === CHAIN_POLICY) about.policyReason = err.message;
    this.#logRefusal(requirement.level, about, err, startedAt);
  }

  #logRefusal(decision: string, about: DecisionSubject, err: unknown, startedAt: number): void {
    if (!logsDecisions(this.options.logger)) return;
    const { error, status } = refusalOf(err);
    this.#logDecision(decision, about, 'refused', status, error, startedAt);
  }

  /** One decision line; its members written out, not spread (a spread per request is slow on Node 20). */
  #logDecision(decision: string, about: DecisionSubject, outcome: 'granted' | 'refused', status: number, error: string | undefined, startedAt: number): void {
    logDecision(this.options.logger, {
      component: 'resource', decision, resource: this.options.resource, agent: about.agent, user: about.user, scope: about.scope, policyReason: about.policyReason,
      outcome, status, error, durationMs: performance.now() - startedAt,
    });
  }

  #authorize(context: AAuthContext | undefined, requirement: Requirement): void | Promise<void> {
    if (context !== undefined) {
      let missing: string[] | undefined;
      for (const c of requirement.components) if (!context.components.includes(c)) (missing ??= []).push(c);
      if (missing !== undefined) {
        const refusal = missingComponents(missing, [...new Set([...context.components, ...requirement.components])], 'this route requires the signature to cover');
        throw (context.profile ?? this.options.profiles[0]) === 'aauth-current' ? asCurrentRefusal(refusal) : refusal;
      }
      return this.#authorizeIn(context.profile ?? this.options.profiles[0] as ProfileName, context, requirement);
    }
    const [first, ...others] = this.options.profiles as [ProfileName, ...ProfileName[]];
    if (others.length === 0) return this.#authorizeIn(first, undefined, requirement);
    return this.#authorizeUnsigned(first, others, requirement);
  }

  /**
   * An unsigned request to a resource speaking both profiles: the first profile's answer, with
   * each other profile's requirement header beside it (distinct header names), so an agent of
   * either profile learns what to present.
   */
  async #authorizeUnsigned(first: ProfileName, others: readonly ProfileName[], requirement: Requirement): Promise<void> {
    const outcome = async (profile: ProfileName): Promise<unknown> => {
      try {
        await this.#authorizeIn(profile, undefined, requirement);
        return undefined;
      } catch (err) {
        return err;
      }
    };
    const refusal = await outcome(first);
    if (!(refusal instanceof AAuthError)) throw refusal;
    let merged = refusal;
    for (const profile of others) {
      const other = await outcome(profile);
      if (other instanceof AAuthError) merged = merged.withHeaders(other.headers);
    }
    throw merged;
  }

  #authorizeIn(profile: ProfileName, context: AAuthContext | undefined, requirement: Requirement): void | Promise<void> {
    return profile === 'aauth-current' ? this.#authorizeCurrent(context, requirement) : this.#authorizeLegacy(context, requirement);
  }

  /** 2026-03 §Requirement Levels. `person` (a current-profile level) is an auth token naming the user. */
  #authorizeLegacy(context: AAuthContext | undefined, requirement: Requirement): void | Promise<void> {
    switch (requirement.level) {
      case 'pseudonym':
        if (context === undefined) throw levelChallenge('pseudonym', 'invalid_signature', 'this resource requires a signed request');
        return;
      case 'identity':
        if (context === undefined) throw levelChallenge('identity', 'invalid_signature', 'this resource requires a signed request from an identified agent');
        if (context.agent === undefined) throw levelChallenge('identity', 'invalid_agent_token', 'this resource requires agent identity (an agent token or jwks_uri), not a pseudonymous key');
        return;
      case 'person':
      case 'auth-token': {
        if (context === undefined) throw levelChallenge('identity', 'invalid_signature', 'this resource requires a signed request from an identified agent');
        if (context.agent === undefined) throw levelChallenge('identity', 'invalid_agent_token', 'this resource requires agent identity before it can issue a resource token');
        const caller = { agent: context.agent, thumbprint: context.thumbprint };
        const scopes = requirement.level === 'auth-token' ? requirement.scopes : [];
        if (requirement.level === 'auth-token' && (context.tokenType === 'delegated' || requirement.delegated?.only === true)) {
          return this.#authorizeDelegated(context, caller, requirement);
        }
        if (context.tokenType !== 'auth') {
          return refuseWith(authTokenChallenge(this.options, caller, scopes, 'invalid_auth_token', 'this resource requires an auth token'));
        }
        if (requirement.level === 'person') {
          if (context.sub === undefined) throw new AAuthError('access_denied', 'this route needs the user, and the auth token names none', { field: 'sub', reason: 'missing' });
          return;
        }
        const message = scopeShortfall(context, requirement);
        if (message === undefined) return;
        return refuseWith(authTokenChallenge(this.options, caller, requirement.scopes, 'insufficient_scope', message));
      }
    }
  }

  /**
   * A delegated token at an `auth-token` route (auth-server contract, "Delegated tokens at
   * resources"). The token was verified with the request; here the route decides: it must opt in
   * (`delegated`), else the auth-token challenge; a delegated-only route answers anything else
   * with `require=delegated-token`; then issuer, scopes (step-up by the same challenge), and the
   * chain: depth, actors per position, original subject type, the route's `ChainPolicy`
   * (`403 access_denied` with the reason).
   */
  async #authorizeDelegated(context: AAuthContext, caller: { agent: string; thumbprint: string }, requirement: Extract<Requirement, { level: 'auth-token' }>): Promise<void> {
    const route = requirement.delegated;
    const delegation = context.delegation;
    if (route === undefined || delegation === undefined) {
      if (route === undefined) throw await authTokenChallenge(this.options, caller, requirement.scopes, 'invalid_auth_token', 'this route takes an auth token; delegated tokens are not accepted here');
      throw this.#delegatedChallenge(route, requirement.scopes, 'invalid_auth_token', 'this route requires a delegated token (RFC 8693 token exchange)');
    }
    if (route.issuers !== undefined && !route.issuers.includes(delegation.issuer)) {
      throw this.#delegatedChallenge(route, requirement.scopes, 'invalid_auth_token', `this route does not take delegated tokens from ${delegation.issuer}`);
    }
    const message = scopeShortfall(context, requirement);
    if (message !== undefined) throw this.#delegatedChallenge(route, requirement.scopes, 'insufficient_scope', message);
    const refusal = chainRefusal(route, delegation);
    const decision = refusal !== undefined ? { allow: false, reason: refusal } : route.policy === undefined ? undefined : await askChainPolicy(route.policy, {
      agent: caller.agent, user: { iss: delegation.issuer, sub: delegation.subject }, resource: this.options.resource, scope: delegation.scope, act: delegation.act,
    });
    if (decision !== undefined && !decision.allow) throw new AAuthError('access_denied', decision.reason, { reason: CHAIN_POLICY });
  }

  #delegatedChallenge(route: DelegatedRequirement, scopes: readonly string[], code: WireErrorCode, message: string): AAuthError {
    return delegatedTokenChallenge(this.options, route.authServer ?? legacyAuthServer(this.options), scopes, code, message);
  }

  /**
   * draft-hardt-oauth-aauth-protocol: `pseudonym` and `identity` want an agent (§Agent Token
   * Required; a person or auth token names no agent); `person` wants the person, from a person or
   * auth token (§Person Token Required); `auth-token` issues a resource token only for a person
   * token this resource verified (§Resource Access and Resource Tokens: "MUST have verified a
   * person token before it issues a resource token"), for the request itself or, on a step-up
   * from an auth token, remembered for that person, key and mission.
   */
  #authorizeCurrent(context: AAuthContext | undefined, requirement: Requirement): void | Promise<void> {
    switch (requirement.level) {
      case 'pseudonym':
        if (context === undefined) throw requirementChallenge('agent-token', 'invalid_signature', 'this resource requires a signed request');
        return;
      case 'identity':
        if (context === undefined) throw requirementChallenge('agent-token', 'invalid_signature', 'this resource requires a request signed with an agent token');
        if (context.agent === undefined) throw requirementChallenge('agent-token', 'invalid_agent_token', 'this route serves agent identity: sign with the agent token');
        return;
      case 'person':
        if (context === undefined) throw requirementChallenge('person-token', 'invalid_signature', 'this resource requires a request signed with a person token');
        if (context.ps === undefined || context.sub === undefined) throw requirementChallenge('person-token', 'invalid_person_token', 'this route needs the person: sign with a person token from your Person Server');
        return;
      case 'auth-token': {
        if (context === undefined) throw requirementChallenge('person-token', 'invalid_signature', 'this resource requires a request signed with a person token before it issues a resource token');
        if (context.tokenType === 'person') {
          const person = this.#personOf(context);
          return refuseWith(currentAuthTokenChallenge(this.options, person, context.thumbprint, requirement.scopes, 'invalid_auth_token', 'this resource requires an auth token'));
        }
        if (context.tokenType !== 'auth' || context.ps === undefined || context.sub === undefined) {
          throw requirementChallenge('person-token', 'invalid_person_token', 'a resource token names the person: sign with a person token from your Person Server first');
        }
        const message = scopeShortfall(context, requirement);
        if (message === undefined) return;
        const person = this.#persons.find(context.ps, context.sub, context.thumbprint, context.missionS256, this.options.now());
        if (person === undefined) throw requirementChallenge('person-token', 'insufficient_scope', `${message}; sign with a person token to get a resource token for it`);
        return refuseWith(currentAuthTokenChallenge(this.options, person, context.thumbprint, requirement.scopes, 'insufficient_scope', message));
      }
    }
  }

  /** The person record of a verified person-token context. */
  #personOf(context: AAuthContext): PersonRecord {
    const claims = context.claims as Readonly<AaPersonTokenClaims>;
    return { ps: claims.iss, sub: claims.sub, jti: claims.jti, missionS256: context.missionS256, tenant: context.tenant, expiresAt: claims.exp };
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
    return this.deferrals.create(context.thumbprint, context.agent, options, context.profile ?? this.options.profiles[0]);
  }

  /**
   * Answer a `GET` of pending URL `id` (§Polling with GET): unsigned → `401 require=pseudonym`;
   * then see `DeferralStore.poll` (same key only, `202` until settled, the final response once).
   */
  async poll(context: AAuthContext | undefined, id: string, waitSeconds?: number): Promise<ResourceAnswer> {
    if (context === undefined) {
      const message = 'a pending URL is polled with a request signed by the key of the original request';
      throw this.options.profiles[0] === 'aauth-current' ? requirementChallenge('agent-token', 'invalid_signature', message) : levelChallenge('pseudonym', 'invalid_signature', message);
    }
    return this.deferrals.poll(id, context.thumbprint, waitSeconds, context.profile ?? this.options.profiles[0]);
  }

  /** Answer a resource token request (§Resource Token Endpoint); see `answerResourceTokenRequest`. */
  resourceTokenRequest(context: AAuthContext | undefined, body: Uint8Array | undefined): Promise<ResourceAnswer> {
    const person = context?.tokenType === 'person' ? this.#personOf(context) : undefined;
    return answerResourceTokenRequest(this.options, context, body, person);
  }
}

/**
 * What an auth token lacks of a route's scopes, as the sentence of the step-up challenge; undefined
 * when it grants them all. With step-up off the shortfall is `403 insufficient_scope` at once.
 */
function scopeShortfall(context: AAuthContext, requirement: Extract<Requirement, { level: 'auth-token' }>): string | undefined {
  let lacking: string[] | undefined;
  for (const scope of requirement.scopes) if (!context.scopes.includes(scope)) (lacking ??= []).push(scope);
  if (lacking === undefined) return undefined;
  const message = `the auth token does not grant ${lacking.map((s) => `"${s}"`).join(', ')}`;
  if (!requirement.stepUp) throw new AAuthError('insufficient_scope', message, { field: 'scope', reason: 'insufficient', expected: requirement.scopes });
  return message;
}

/** `detail.reason` of a chain-policy refusal: its sentence becomes the decision log's `policy_reason`. */
const CHAIN_POLICY = 'chain_policy';

/** Why the route's own limits refuse `delegation`'s chain, or undefined when they allow it. */
function chainRefusal(route: DelegatedRequirement, delegation: Delegation): string | undefined {
  const { act } = delegation;
  if (route.maxDepth !== undefined && act.length > route.maxDepth) return `the delegation chain has ${act.length} actors; this route takes at most ${route.maxDepth}`;
  for (const [position, allowed] of route.actors.entries()) {
    const actor = act[position];
    if (actor !== undefined && allowed !== '*' && !allowed.includes(actor)) return `${actor} may not act at position ${position + 1} of the delegation chain on this route`;
  }
  if (route.subjectType !== undefined) {
    const type = delegation.subject === act[act.length - 1] ? 'agent' : 'user';
    if (type !== route.subjectType) return `this route takes delegation chains begun by ${route.subjectType === 'user' ? 'a user' : 'an agent acting for itself'}, not by ${type === 'user' ? 'a user' : 'an agent'}`;
  }
  return undefined;
}

/** A `403 access_denied` for policy refusals decided by application code (authenticated, not authorised). */
export function accessDenied(description: string): AAuthError {
  return new AAuthError('access_denied', description, { reason: 'policy' });
}
