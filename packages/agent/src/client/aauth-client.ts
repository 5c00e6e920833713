/**
 * The calling side of AAuth, independent of any HTTP library: which credential a request carries,
 * how a `401` challenge becomes an auth token (verify the resource token, ask the named auth
 * server, wait out a `202`, verify what comes back), the token cache with single flight, refresh
 * by presenting the expired auth token (2026-03 §Token Endpoint, refresh), and call chaining
 * (`upstream_token`, §Call Chaining), and the components each server asks signatures to cover
 * (§Covered Components). The fetch wrapper and the axios interceptor compose it.
 */
import {
  AAUTH_CURRENT, AAuthError, GuardedFetcher, KeyDiscovery, MalformedError, PROFILE, TokenError, isLoopbackHost, parseRequirement, peekClaims, verifyAuthToken, verifyDelegatedToken,
  type AuthTokenClaims, type Challenge, type DelegatedTokenClaims, type IdentifierPolicy, type ProfileName, type SignatureKeyInput,
} from '@aauth-ts/core';
import { TokenCache, tokenKey, upstreamHash, type CachedToken } from '../cache/token-cache.js';
import { readChallenge, verifyAuthTokenChallenge, type AuthTokenChallenge } from '../challenge/verify-challenge.js';
import { emit, type EventSink, type TokenRequestMode } from '../events.js';
import type { RequestSigner } from '../identity/agent-session.js';
import { anySignal, raceSignal } from '../lib/abort.js';
import { processResourceTokenResponse, resourceTokenRequest } from '../resource-token/resource-token-request.js';
import { ComponentMemory, listedComponents } from '../signing/required-components.js';
import { awaitDeferred, awaitPending, type AwaitPendingOptions, type InteractionCallback, type InteractionHandler, type Pending } from '../token-endpoint/await-pending.js';
import { processTokenResponse, type TokenResult } from '../token-endpoint/process-token-response.js';
import { modeOf, tokenRequest, type TokenRequestParameters } from '../token-endpoint/token-request.js';
import { createTransport, type FetchLike, type Transport } from '../transport/transport.js';
import { aauthFetch, type AAuthRequestInit } from '../fetch/aauth-fetch.js';
import { exchangeToken } from '../token-exchange/exchange-request.js';
import type { ChallengeAnswerer, ChallengeContext, DeferredContext } from '../fetch/challenge-answerer.js';
import { processPsResponse } from '../person-server/ps-response.js';
import type { InteractionRoute } from '../person-server/person-server.js';
import { CurrentAuthorizer, type Mission, type MissionProposal, type ParentMediator } from './current-authorizer.js';

export interface AAuthClientOptions {
  /** Who signs: an `AgentSession` (delegate with an agent token, an agent server, or pseudonymous). */
  readonly session: RequestSigner;
  /**
   * Wire profile. Default `aauth-2026-03`. `aauth-current` (draft-hardt-oauth-aauth-protocol):
   * `AAuth-Requirement` answered through the agent's Person Server (person tokens, auth tokens,
   * missions), `scheme=jwt` only. `authServers`, `interactionCallback` and `earlyRefreshSeconds`
   * are 2026-03 options; `purpose` is sent as `justification`.
   */
  readonly profile?: ProfileName;
  /** Current profile: the agent's Person Server (issuer URL). Default: the agent token's `ps`. */
  readonly personServer?: string;
  /**
   * Current profile, call chaining: the Person Servers (exact issuer strings) an upstream auth
   * token's `ps` may send this agent's chained token requests to (§Call Chaining). Default: any
   * issuer URL the upstream token names; the resource middleware that accepted that token has
   * already checked its PS against its own `trustedPersonServers`.
   */
  readonly trustedPersonServers?: readonly string[];
  /**
   * Current profile, for a sub-agent: how it obtains person and auth tokens from its parent, which
   * calls the PS for it (§Sub-Agents). A sub-agent never calls the PS itself.
   */
  readonly parent?: ParentMediator;
  /**
   * Development on one machine: `http` loopback identifiers with ports, metadata/JWKS from
   * loopback, and `*.localhost` names connected to 127.0.0.1. Never a default.
   */
  readonly development?: boolean;
  /**
   * The auth servers this agent goes to, by exact issuer string (e.g. a Keycloak
   * `https://kc.example/realms/demo`): an allow-list, so a resource cannot send the agent (and its
   * signed token requests) elsewhere. When omitted, any acceptable server identifier (an `https`
   * origin) that a verified resource token names.
   */
  readonly authServers?: readonly string[];
  /** The `fetch` used for resource and token-endpoint requests (global `fetch` by default). */
  readonly fetch?: FetchLike;
  /** Key and metadata discovery (a guarded fetcher); built from `development` when omitted. */
  readonly keys?: KeyDiscovery;
  readonly onEvent?: EventSink;
  /** Called once per pending request that needs the user: send them to `url`. */
  readonly onInteraction?: InteractionHandler;
  /**
   * Adds `callback` to the interaction URL handed to `onInteraction`, so the auth server sends the
   * user's browser back here (`303`) once they decide (§User Interaction). Must be on this agent's
   * origin, or an `http` loopback URL with a port; the server refuses anything else.
   */
  readonly interactionCallback?: InteractionCallback;
  /** Overall deadline for a pending (202) request, at an auth server or a resource, ms. Default 5 min. */
  readonly pendingTimeoutMs?: number;
  /**
   * `Prefer: wait=N` (RFC 7240) on the token request and on every poll, seconds: the server may hold
   * the response until the user decides (2026-03 §Deferred Responses). Default 20.
   */
  readonly preferWaitSeconds?: number;
  /** Minimum time between polls, ms. Default 250. */
  readonly minPollIntervalMs?: number;
  /**
   * Early refresh: renew a cached token this many seconds before it expires (at most a quarter of
   * its lifetime). Default 0: the draft's way (2026-03 §Token Refresh), a token is used until it
   * has expired and then refreshed by presenting it. The auth server must allow early refresh
   * (`aauth.earlyRefresh`, on by default on ours); if it refuses, the agent starts over with a challenge.
   */
  readonly earlyRefreshSeconds?: number;
  /** Verify auth tokens on receipt (signature, `iss`, `aud`, `agent`, `cnf`). Default true. */
  readonly verifyAuthTokens?: boolean;
  /** `purpose` sent with token requests (shown on the consent page; self-asserted). */
  readonly purpose?: string;
  readonly loginHint?: string;
  /** `tenant` and `domain_hint` sent with token requests (OpenID Connect Enterprise Extensions 1.0), shown at consent. */
  readonly tenant?: string;
  readonly domainHint?: string;
  /** The identifier of the resource a URL belongs to. Default: the URL's origin. */
  readonly resourceIdentifier?: (url: URL) => string;
  /** Clock, seconds since the epoch. */
  readonly now?: () => number;
  /** Cancels every exchange and poll of this client (e.g. on shutdown). */
  readonly signal?: AbortSignal;
  readonly maxCachedTokens?: number;
}

interface Shared {
  readonly options: AAuthClientOptions;
  readonly cache: TokenCache;
  readonly keys: KeyDiscovery;
  readonly transport: Transport;
  readonly now: () => number;
  /** Components per server (resource identifier or issuer) beyond the default. */
  readonly components: ComponentMemory;
  /** Present in the current profile. */
  readonly current: CurrentAuthorizer | undefined;
}

/** What a bound client (`forUpstream`, `forMission`) carries on every token request. */
interface Binding {
  readonly upstreamToken: string | undefined;
  readonly mission: string | undefined;
  /** Current profile: where this client's PS interactions go instead of `onInteraction` (see `withInteraction`). */
  readonly interaction?: InteractionRoute | undefined;
}

export interface Credential {
  readonly signatureKey: SignatureKeyInput;
  /** The auth token carried, if any. */
  readonly authToken?: string;
}

export class AAuthClient implements ChallengeAnswerer {
  readonly #shared: Shared;
  readonly #upstream: string | undefined;
  readonly #mission: string | undefined;
  readonly #interaction: InteractionRoute | undefined;

  constructor(options: AAuthClientOptions, bound?: { shared: Shared } & Binding) {
    if (bound) {
      this.#shared = bound.shared;
      this.#upstream = bound.upstreamToken;
      this.#mission = bound.mission;
      this.#interaction = bound.interaction;
      return;
    }
    if (!options.session) throw new TypeError('AAuthClient: a session (RequestSigner) is required');
    checkAuthServers(options.authServers);
    const development = options.development === true;
    const profile = options.profile ?? PROFILE.name;
    if (profile !== PROFILE.name && profile !== AAUTH_CURRENT.name) throw new TypeError(`AAuthClient: unknown profile ${JSON.stringify(profile)}`);
    const now = options.now ?? ((): number => Math.floor(Date.now() / 1000));
    const cache = new TokenCache(options.maxCachedTokens);
    const keys = options.keys ?? new KeyDiscovery(new GuardedFetcher({ allowLoopback: development }), { profile });
    const transport = createTransport({ development, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) });
    const current = profile !== AAUTH_CURRENT.name ? undefined : new CurrentAuthorizer({
      signer: options.session,
      transport,
      keys,
      identifiers: { allowLoopbackHttp: development },
      onEvent: options.onEvent,
      preferWaitSeconds: options.preferWaitSeconds ?? 20,
      pendingOptions: (origin, signal, interaction) => ({ ...this.#pendingOptions(origin, undefined, { signal }), ...interaction }),
      now,
      authCache: cache,
      personServer: options.personServer,
      trustedPersonServers: options.trustedPersonServers,
      parent: options.parent,
      verifyAuthTokens: options.verifyAuthTokens !== false,
      justification: options.purpose,
      loginHint: options.loginHint,
      tenant: options.tenant,
      domainHint: options.domainHint,
    });
    this.#shared = { options, cache, keys, transport, now, components: new ComponentMemory(), current };
    this.#upstream = undefined;
    this.#mission = undefined;
    this.#interaction = undefined;
  }

  /** The wire profile this client speaks. */
  get profile(): ProfileName {
    return this.#shared.current === undefined ? PROFILE.name : AAUTH_CURRENT.name;
  }

  /** The response header that carries what a resource requires (`AAuth` or `AAuth-Requirement`), lowercase. */
  get challengeHeader(): string {
    return (this.#shared.current === undefined ? PROFILE.headers.challenge : AAUTH_CURRENT.headers.requirement).toLowerCase();
  }

  /**
   * How many `401`s one request may answer: one in 2026-03; two in the current profile, where a
   * resource asks for a person token first and then for an auth token (§Person Token Required,
   * §Auth Token Required).
   */
  get maxAnswers(): number {
    return this.#shared.current === undefined ? 1 : 2;
  }

  /** Current profile: the mission this client's person-token requests name (see `forMission`). */
  get mission(): string | undefined {
    return this.#mission;
  }

  get session(): RequestSigner {
    return this.#shared.options.session;
  }

  get transport(): Transport {
    return this.#shared.transport;
  }

  get development(): boolean {
    return this.#shared.options.development === true;
  }

  get onEvent(): EventSink | undefined {
    return this.#shared.options.onEvent;
  }

  /** The upstream auth token this client is bound to (see `forUpstream`). */
  get upstreamToken(): string | undefined {
    return this.#upstream;
  }

  /**
   * A client for calls made while serving a request that carried `upstreamToken` (call chaining,
   * §Call Chaining; `req.aauth.authToken` in a handler behind the resource middleware, in either
   * profile): same key, same cache, but every token request carries `upstream_token`, and its
   * tokens are cached apart from other users'. In the current profile the person-token and
   * auth-token requests go to the PS the upstream token's `ps` names, not this agent's own.
   * Cheap; make one per incoming request.
   */
  forUpstream(upstreamToken: string | undefined): AAuthClient {
    if (upstreamToken !== undefined && (typeof upstreamToken !== 'string' || upstreamToken.length === 0)) {
      throw new TypeError('forUpstream: the upstream token must be a non-empty string');
    }
    return new AAuthClient(this.#shared.options, { shared: this.#shared, upstreamToken, mission: this.#mission, interaction: this.#interaction });
  }

  /**
   * Current profile: a client whose Person Server interactions (a `202` with
   * `requirement=interaction` at the PS) go to `route.onInteraction`, with `route.interactionCallback`,
   * instead of the client's own: how an intermediary chains an interaction to its caller
   * (§Interaction Chaining; see `InteractionChain`).
   */
  withInteraction(route: InteractionRoute): AAuthClient {
    this.#currentOnly('withInteraction');
    return new AAuthClient(this.#shared.options, { shared: this.#shared, upstreamToken: this.#upstream, mission: this.#mission, interaction: route });
  }

  /**
   * Current profile: a client working under an approved mission (§Mission): same key and caches,
   * its person-token requests carry `mission_s256`, and the person tokens the approval carried
   * are used for their resources.
   */
  forMission(mission: Mission | string): AAuthClient {
    this.#currentOnly('forMission');
    const s256 = typeof mission === 'string' ? mission : mission.s256;
    if (typeof s256 !== 'string' || s256.length === 0) throw new TypeError('forMission: a mission or its s256 is required');
    return new AAuthClient(this.#shared.options, { shared: this.#shared, upstreamToken: this.#upstream, mission: s256, interaction: this.#interaction });
  }

  /**
   * Current profile: propose a mission at the person server's `mission_endpoint` (§Mission
   * Creation), wait while the person reviews it (`onInteraction`), and return the approved
   * mission, its `s256` verified against the blob. Person tokens in the approval are held for
   * their resources. Use `forMission(mission)` for the work done under it.
   */
  proposeMission(proposal: MissionProposal, options: { signal?: AbortSignal } = {}): Promise<Mission> {
    return this.#currentOnly('proposeMission').proposeMission(proposal, anySignal([options.signal, this.#shared.options.signal]));
  }

  /**
   * Current profile, parent side of §Sub-Agents step 1: a person token for `resource` whose `cnf`
   * is the key of the sub-agent `subagentToken` names (its `parent_agent` must be this agent);
   * under this client's mission, if any. Hand it to the sub-agent out of band.
   */
  subAgentPersonToken(resource: string, subagentToken: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    return this.#currentOnly('subAgentPersonToken').subAgentPersonToken(resource, subagentToken, this.#mission, anySignal([options.signal, this.#shared.options.signal]));
  }

  /**
   * Current profile, parent side of §Sub-Agents steps 3–5: exchange the resource token the
   * sub-agent received, with its agent token as `subagent_token`; the auth token is bound to the
   * sub-agent's key. Hand it to the sub-agent out of band.
   */
  subAgentAuthToken(resourceToken: string, subagentToken: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    return this.#currentOnly('subAgentAuthToken').subAgentAuthToken(resourceToken, subagentToken, anySignal([options.signal, this.#shared.options.signal]));
  }

  #currentOnly(method: string): CurrentAuthorizer {
    const current = this.#shared.current;
    if (current === undefined) throw new TypeError(`AAuthClient.${method}: only in the aauth-current profile`);
    return current;
  }

  /** `fetch` with AAuth: sign, answer one challenge, retry once. See `aauthFetch`. */
  fetch(input: string | URL | Request, init?: AAuthRequestInit): Promise<Response> {
    return aauthFetch(this, input, init);
  }

  resourceId(url: URL): string {
    return this.#shared.options.resourceIdentifier?.(url) ?? url.origin;
  }

  signatureComponents(url: URL): readonly string[] {
    return this.#shared.components.get(this.resourceId(url));
  }

  learnComponents(url: URL, required: readonly string[]): void {
    this.#shared.components.learn(this.resourceId(url), required);
  }

  /** Forget every cached token. */
  clearTokens(): void {
    this.#shared.cache.clear();
  }

  #identifiers(): IdentifierPolicy {
    return { allowLoopbackHttp: this.development };
  }

  #early(entry: CachedToken): number {
    const early = this.#shared.options.earlyRefreshSeconds ?? 0;
    return Math.min(early, Math.floor((entry.expiresAt - entry.issuedAt) / 4));
  }

  #fresh(entry: CachedToken): boolean {
    return this.#shared.now() < entry.expiresAt - this.#early(entry);
  }

  /**
   * The credential for a request to `url`: a held auth token (`sig=jwt;jwt="<auth token>"`),
   * refreshed first if it has expired (or is about to, with `earlyRefreshSeconds`), else the
   * session's own identity.
   */
  async credentialFor(url: URL, upstreamToken: string | undefined = this.#upstream, signal?: AbortSignal): Promise<Credential> {
    const token = await this.tokenFor(url, upstreamToken, signal);
    if (token !== undefined) return { signatureKey: { scheme: 'jwt', jwt: token }, authToken: token };
    return { signatureKey: await this.session.identity() };
  }

  /** A usable cached auth token for `url`, refreshing it once expired (or early, when configured); undefined if none. */
  async tokenFor(url: URL, upstreamToken: string | undefined = this.#upstream, signal?: AbortSignal): Promise<string | undefined> {
    const { cache, current } = this.#shared;
    // Current profile: an auth token once one is held, else the person token held for this
    // resource and mission (§Keying Material), else the agent token. Expired tokens are dropped.
    if (current !== undefined) {
      const resource = this.resourceId(url);
      return current.heldAuthToken(resource, upstreamToken) ?? current.heldPersonToken(resource, this.#mission, upstreamToken);
    }
    const found = cache.forResource(this.resourceId(url), upstreamHash(upstreamToken));
    if (!found) return undefined;
    if (this.#fresh(found.entry)) return found.entry.authToken;
    const refreshed = await raceSignal(cache.singleFlight(found.key, () => this.#refresh(found.key, found.entry)), signal);
    return refreshed?.authToken;
  }

  /**
   * Answer a `401` whose `AAuth` header is `challengeHeader`. Returns the auth token to retry
   * with, or undefined when the challenge is not `require=auth-token` (the caller gets the 401).
   * Throws a typed error when the resource token does not verify or the auth server refuses.
   */
  async answerChallenge(url: URL, challengeHeader: string, context: ChallengeContext = {}): Promise<string | undefined> {
    if (this.#shared.current !== undefined) return this.#answerRequirement(this.#shared.current, url, challengeHeader, context);
    const challenge = readChallenge(challengeHeader);
    if (challenge.require === 'delegated-token') return this.#answerDelegated(url, challenge, context);
    if (challenge.require !== 'auth-token') return undefined;
    return this.#answer(url, challenge, context);
  }

  /**
   * `require=delegated-token` (extension, `PROFILE.challenge.delegatedToken`): with a subject
   * token at hand (the token this client is bound to by `forUpstream`, or the context's), obtain a
   * delegated token by RFC 8693 exchange at the named auth server and retry with it; without one,
   * undefined (the caller gets the 401). The `audience` must be the resource called, and the
   * subject token goes only to its own issuer or to an auth server in `authServers`.
   */
  async #answerDelegated(url: URL, challenge: Extract<Challenge, { require: 'delegated-token' }>, context: ChallengeContext): Promise<string | undefined> {
    const subject = context.upstreamToken ?? this.#upstream;
    if (subject === undefined) return undefined;
    const { options, cache } = this.#shared;
    const resource = this.resourceId(url);
    if (challenge.audience !== resource) {
      throw new TokenError('invalid_request', `the challenge asks for a delegated token for ${challenge.audience}, but the request went to ${resource}`, { field: 'audience', reason: 'mismatch', expected: resource, actual: challenge.audience });
    }
    const { iss } = peekClaims(subject, 'invalid_auth_token');
    if (iss !== challenge.authServer && !(options.authServers ?? []).includes(challenge.authServer)) {
      throw new TokenError('invalid_request', `the resource names auth server ${challenge.authServer}, but the subject token was issued by ${String(iss)} and that server is not in authServers: the token is not sent there`, { field: 'auth-server', reason: 'subject_issuer_mismatch', expected: iss, actual: challenge.authServer });
    }
    emit(options.onEvent, { type: 'delegation.challenge', url: url.href, authServer: challenge.authServer, audience: challenge.audience, scope: challenge.scope });
    const hash = upstreamHash(subject);
    const key = tokenKey({ authServer: challenge.authServer, resource, scope: challenge.scope, upstreamHash: hash });
    const held = cache.get(key);
    if (held && held.authToken === context.sentToken) cache.delete(key);
    else if (held && this.#fresh(held) && !cache.inFlight(key)) return held.authToken;
    const entry = await raceSignal(cache.singleFlight(key, () => this.#delegate(challenge.authServer, resource, challenge.scope, subject, hash)), context.signal);
    return entry?.authToken;
  }

  /** The exchange round trip, the delegated token verified on receipt (issuer, `aud`, `cnf` = our key), then cached. */
  async #delegate(authServer: string, resource: string, scope: string, subject: string, hash: string): Promise<CachedToken> {
    const { options, transport, cache, keys } = this.#shared;
    const { token, expiresIn } = await exchangeToken(authServer, this.session, { subjectToken: subject, audience: resource, scope }, {
      transport, components: this.#shared.components.get(authServer), ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const now = this.#shared.now();
    const claims = options.verifyAuthTokens === false
      ? peekClaims(token, 'invalid_auth_token') as DelegatedTokenClaims
      : await verifyDelegatedToken(token, { keys, trustedIssuers: [authServer], audience: resource, cnfThumbprint: this.session.thumbprint, now });
    const byExpiresIn = expiresIn === undefined ? Number.POSITIVE_INFINITY : now + expiresIn;
    const entry: CachedToken = {
      authToken: token, issuedAt: now, expiresAt: Math.min(byExpiresIn, typeof claims.exp === 'number' ? claims.exp : byExpiresIn), authServer, resource, scope, upstreamHash: hash,
    };
    cache.set(entry, now);
    emit(options.onEvent, { type: 'delegated-token.issued', authServer, resource, token, claims });
    return entry;
  }

  /**
   * Pre-authorization (2026-03 §Resource Token Endpoint): ask the resource `url` belongs to for a
   * resource token for `scope` at the `resource_token_endpoint` its metadata advertises, then
   * obtain (and cache) the auth token exactly as for a `401` challenge, so the first call to the
   * resource already carries it. Also the way to a broader scope (scope upgrade). Returns the
   * auth token. A resource that advertises no endpoint is a `MalformedError` (`field`
   * `resource_token_endpoint`).
   */
  async preauthorize(url: string | URL, scope: string, context: ChallengeContext = {}): Promise<string> {
    if (this.#shared.current !== undefined) throw new TypeError('AAuthClient.preauthorize: the resource token endpoint is a 2026-03 feature; in aauth-current the resource asks at its authorization endpoint');
    const target = new URL(url);
    const { keys, transport, options } = this.#shared;
    const resource = this.resourceId(target);
    const metadata = await keys.metadata(resource, PROFILE.wellKnown.resource);
    const endpoint = this.#onOrigin(metadata.resource_token_endpoint, resource, 'resource_token_endpoint');
    const signal = anySignal([context.signal, options.signal]);
    const response = await resourceTokenRequest(endpoint, this.session, scope, { transport, ...(signal === undefined ? {} : { signal }) });
    const result = await processResourceTokenResponse(response);
    const token = await this.#answer(target, { require: 'auth-token', resourceToken: result.resourceToken, authServer: result.authServer }, context);
    return token as string;
  }

  /**
   * Wait out a `202` from a resource (2026-03 §Deferred Responses: "Agents MUST handle 202
   * responses regardless of the nature of the original request"; §Resource Interaction): the
   * `Location` must be on the resource's origin; with `require=interaction` the user is sent to
   * the resource's `interaction_endpoint` through `onInteraction` (as for the auth server); polls
   * are signed `GET`s with the agent's key; the first non-`202` answer is returned as the
   * response to the original request. Bounded by `pendingTimeoutMs` and the signals.
   */
  async awaitDeferred(url: URL, response: Response, context: DeferredContext = {}): Promise<Response> {
    if (this.#shared.current !== undefined) {
      // Current profile: the interaction `url` is in `AAuth-Requirement` itself (§Interaction Required).
      const pending = await processPsResponse(response, { base: url.href, identifiers: this.#identifiers() });
      if (pending.kind !== 'pending') throw new TypeError('awaitDeferred: the response is not a 202');
      // Each 202 is read as the first was: a further `requirement=interaction` with a new code
      // (an intermediary chaining another interaction, §Interaction Chaining) is handed on.
      const read = async (polled: Response, at: Pending): Promise<Pending> => {
        const next = await processPsResponse(polled, { base: at.location, pendingUrl: at.location, identifiers: this.#identifiers() });
        if (next.kind !== 'pending') throw new TypeError('awaitDeferred: a 202 read as final');
        return next;
      };
      return awaitDeferred(pending, { ...this.#pendingOptions(url.origin, undefined, context), ...this.#deferredDelivery(this.#shared.current, url, context) }, read);
    }
    const pending = await processTokenResponse(response, { base: url.href });
    if (pending.kind !== 'pending') throw new TypeError('awaitDeferred: the response is not a 202');
    const origin = url.origin;
    let interactionEndpoint: string | undefined;
    if (pending.code !== undefined) {
      const metadata = await this.#shared.keys.metadata(this.resourceId(url), PROFILE.wellKnown.resource);
      interactionEndpoint = this.#onOrigin(metadata.interaction_endpoint, origin, 'interaction_endpoint').href;
    }
    return awaitDeferred(pending, this.#pendingOptions(origin, interactionEndpoint, context));
  }

  /** How pending requests are polled, the same at an auth server and at a resource. */
  #pendingOptions(origin: string, interactionEndpoint: string | undefined, context: DeferredContext = {}): AwaitPendingOptions {
    const { options, transport } = this.#shared;
    const signal = anySignal([context.signal, options.signal]);
    return {
      signer: this.session,
      transport,
      ...(interactionEndpoint === undefined ? {} : { interactionEndpoint }),
      ...(options.onInteraction === undefined ? {} : { onInteraction: options.onInteraction }),
      ...(options.interactionCallback === undefined ? {} : { interactionCallback: options.interactionCallback }),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      timeoutMs: context.timeoutMs ?? options.pendingTimeoutMs ?? 300_000,
      ...(signal === undefined ? {} : { signal }),
      preferWaitSeconds: options.preferWaitSeconds ?? 20,
      minIntervalMs: options.minPollIntervalMs ?? 250,
      origin,
      cancelOnAbort: this.#shared.current !== undefined,
    };
  }

  /**
   * Current profile, §Deferred Delivery: a resource holding the request with `requirement=auth-token`
   * gets the auth token obtained exactly as after a `401`, presented on the following polls; a
   * fresh resource token on a later poll is met the same way.
   */
  #deferredDelivery(current: CurrentAuthorizer, url: URL, context: DeferredContext): Pick<AwaitPendingOptions, 'beforePoll' | 'token'> {
    let token: string | undefined;
    let met: string | undefined;
    return {
      token: () => token,
      beforePoll: async (pending) => {
        if (pending.require !== 'auth-token' || pending.resourceToken === undefined || pending.resourceToken === met) return;
        met = pending.resourceToken;
        const signal = anySignal([context.signal, this.#shared.options.signal]);
        token = await current.authToken({ resource: this.resourceId(url), resourceToken: pending.resourceToken, sentToken: token, mission: this.#mission, upstreamToken: this.#upstream, signal, interaction: this.#interaction });
      },
    };
  }

  /**
   * Current profile (§Requirement Values): `agent-token` → the agent token (when another was sent);
   * `person-token` → a person token from our PS; `auth-token` → the resource token exchanged at our
   * PS. Anything else is not answered here (`interaction` and `approval` come with a `202`).
   */
  async #answerRequirement(current: CurrentAuthorizer, url: URL, header: string, context: ChallengeContext): Promise<string | undefined> {
    const requirement = parseRequirement(header, this.#identifiers());
    const resource = this.resourceId(url);
    const upstreamToken = context.upstreamToken ?? this.#upstream;
    const signal = anySignal([context.signal, this.#shared.options.signal]);
    emit(this.#shared.options.onEvent, { type: 'requirement', url: url.href, requirement: requirement.requirement });
    switch (requirement.requirement) {
      case 'agent-token': {
        if (context.sentToken === undefined) return undefined;
        const identity = await this.session.identity();
        return identity.scheme === 'jwt' ? identity.jwt : undefined;
      }
      case 'person-token': {
        const sent = context.sentToken !== undefined && current.heldPersonToken(resource, this.#mission, upstreamToken) === context.sentToken ? context.sentToken : undefined;
        return current.personToken(resource, this.#mission, upstreamToken, sent, signal, this.#interaction);
      }
      case 'auth-token':
        return current.authToken({ resource, resourceToken: requirement.resourceToken, sentToken: context.sentToken, mission: this.#mission, upstreamToken, signal, interaction: this.#interaction });
      default:
        return undefined;
    }
  }

  async #answer(url: URL, challenge: Extract<Challenge, { require: 'auth-token' }>, context: ChallengeContext): Promise<string | undefined> {
    const upstream = context.upstreamToken ?? this.#upstream;
    const { options, cache } = this.#shared;
    const verified = await verifyAuthTokenChallenge(challenge, {
      resource: this.resourceId(url),
      signer: this.session,
      keys: this.#shared.keys,
      identifiers: this.#identifiers(),
      authServers: { allowLoopbackHttp: this.development },
      ...(options.authServers === undefined ? {} : { allowedAuthServers: options.authServers }),
      now: this.#shared.now(),
    });
    if (upstream !== undefined) checkUpstreamIssuer(upstream, verified.authServer);
    // The resource token was verified with the key its metadata names, so that document is cached:
    // what it lists under additional_signature_components is covered from the retry on.
    this.#shared.components.learn(verified.resource, listedComponents(await this.#shared.keys.metadata(verified.resource, PROFILE.wellKnown.resource)));
    emit(options.onEvent, { type: 'challenge', url: url.href, challenge, resourceToken: verified.resourceToken, claims: verified.claims });
    const hash = upstreamHash(upstream);
    const key = tokenKey({ authServer: verified.authServer, resource: verified.resource, scope: verified.scope, upstreamHash: hash });
    const held = cache.get(key);
    if (held && held.authToken === context.sentToken) cache.delete(key);
    // Another request finished this exchange while ours was on the wire: use its token.
    else if (held && this.#fresh(held) && !cache.inFlight(key)) return held.authToken;
    const entry = await raceSignal(cache.singleFlight(key, () => this.#exchange(verified, upstream, hash)), context.signal);
    return entry?.authToken;
  }

  async #exchange(verified: AuthTokenChallenge, upstream: string | undefined, hash: string): Promise<CachedToken> {
    const t = PROFILE.tokenRequest;
    const { options } = this.#shared;
    const parameters: Record<string, string> = { [t.resourceToken]: verified.resourceToken };
    if (upstream !== undefined) parameters[t.upstreamToken] = upstream;
    if (options.purpose !== undefined) parameters[t.purpose] = options.purpose;
    if (options.loginHint !== undefined) parameters[t.loginHint] = options.loginHint;
    if (options.tenant !== undefined) parameters[t.tenant] = options.tenant;
    if (options.domainHint !== undefined) parameters[t.domainHint] = options.domainHint;
    return this.#obtain(verified.authServer, verified.resource, verified.scope, hash, parameters as TokenRequestParameters);
  }

  async #refresh(key: string, entry: CachedToken): Promise<CachedToken | undefined> {
    try {
      return await this.#obtain(entry.authServer, entry.resource, entry.scope, entry.upstreamHash, { [PROFILE.tokenRequest.authToken]: entry.authToken } as TokenRequestParameters);
    } catch (err) {
      // A refused refresh (past the refresh window, revoked, …) is not the caller's error: drop the
      // token and let the request go out with the agent's identity, which yields a new challenge.
      this.#shared.cache.delete(key);
      if (err instanceof AAuthError) return undefined;
      throw err;
    }
  }

  /** Token endpoint round trip (request → process → pending → verify), then cache. */
  async #obtain(authServer: string, resource: string, scope: string, hash: string, parameters: TokenRequestParameters): Promise<CachedToken> {
    const { options, keys, transport, cache } = this.#shared;
    const metadata = await keys.metadata(authServer, PROFILE.wellKnown.issuer);
    const endpoint = this.#checkEndpoint(metadata.token_endpoint, authServer);
    const mode: TokenRequestMode = modeOf(parameters);
    const preferWaitSeconds = options.preferWaitSeconds ?? 20;
    // §Deferred Responses "Initial Request": the first request already says how long we would wait.
    const call = { transport, onEvent: options.onEvent, preferWaitSeconds, ...(options.signal === undefined ? {} : { signal: options.signal }) };
    const components = [...listedComponents(metadata), ...this.#shared.components.get(authServer)];
    const response = await tokenRequest(endpoint, this.session, parameters, {
      ...call,
      components,
      onRequiredComponents: (required) => { this.#shared.components.learn(authServer, required); },
    });
    let result: TokenResult;
    try {
      result = await processTokenResponse(response, { base: endpoint.href });
    } catch (err) {
      emit(options.onEvent, { type: 'token.response', url: endpoint.href, status: response.status, body: err instanceof AAuthError ? err.toJSON() : String(err) });
      throw err;
    }
    emit(options.onEvent, { type: 'token.response', url: endpoint.href, status: response.status, body: result });
    if (result.kind === 'pending') result = await awaitPending(result, this.#pendingOptions(endpoint.origin, metadata.interaction_endpoint));
    const claims = await this.#checkIssued(result.authToken, authServer, resource);
    const now = this.#shared.now();
    const byExpiresIn = result.expiresIn === undefined ? Number.POSITIVE_INFINITY : now + result.expiresIn;
    const entry: CachedToken = {
      authToken: result.authToken,
      issuedAt: now,
      expiresAt: Math.min(byExpiresIn, typeof claims.exp === 'number' ? claims.exp : byExpiresIn),
      authServer,
      resource,
      scope,
      upstreamHash: hash,
    };
    cache.set(entry, now);
    emit(options.onEvent, { type: 'token.issued', authServer, resource, authToken: result.authToken, claims, mode });
    return entry;
  }

  /** 2026-03 §Auth Tokens, at the agent on receipt: `iss` = the server asked, `aud` = the resource, `agent` = us, `cnf.jwk` = our key. */
  async #checkIssued(token: string, authServer: string, resource: string): Promise<AuthTokenClaims> {
    if (this.#shared.options.verifyAuthTokens === false) return peekClaims(token, 'invalid_auth_token') as AuthTokenClaims;
    return verifyAuthToken(token, {
      keys: this.#shared.keys,
      trustedIssuers: [authServer],
      audience: resource,
      agent: this.session.agentId,
      cnfThumbprint: this.session.thumbprint,
      now: this.#shared.now(),
    });
  }

  /**
   * An endpoint a resource's metadata names (`resource_token_endpoint`, `interaction_endpoint`)
   * must be http(s) on the resource's origin: the document came through the guarded fetcher, the
   * signed POST and the user's browser do not (2026-03 §Endpoint URLs).
   */
  #onOrigin(endpoint: string | undefined, identifier: string, field: 'resource_token_endpoint' | 'interaction_endpoint'): URL {
    if (endpoint === undefined) throw new MalformedError('server_error', `the metadata of ${identifier} advertises no ${field}`, undefined, { field, reason: 'missing' });
    const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
    const origin = new URL(identifier).origin;
    const secure = url !== undefined && (url.protocol === 'https:' || (this.development && url.protocol === 'http:' && isLoopbackHost(url.hostname)));
    if (!secure || url.origin !== origin) {
      throw new MalformedError('server_error', `${field} ${JSON.stringify(endpoint)} is not an https URL on the resource's origin ${origin}`, endpoint, { field, reason: 'origin_mismatch' });
    }
    return url;
  }

  /**
   * The token endpoint must sit on the issuer's origin, over https (or loopback http in
   * development): the issuer metadata came through the guarded fetcher, the POST does not.
   */
  #checkEndpoint(endpoint: string, authServer: string): URL {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new MalformedError('server_error', `token_endpoint ${JSON.stringify(endpoint)} is not a URL`, endpoint, { field: 'token_endpoint' });
    }
    const issuer = new URL(authServer);
    const secure = url.protocol === 'https:' || (this.development && url.protocol === 'http:' && isLoopbackHost(url.hostname));
    if (!secure || url.origin !== issuer.origin) {
      throw new MalformedError('server_error', `token_endpoint ${endpoint} is not an https URL on the issuer's origin ${issuer.origin}`, endpoint, { field: 'token_endpoint', reason: 'origin_mismatch' });
    }
    return url;
  }
}

/** `authServers`, when given, is a non-empty list of http(s) URLs (an empty one would refuse every challenge). */
function checkAuthServers(authServers: readonly string[] | undefined): void {
  if (authServers === undefined) return;
  if (!Array.isArray(authServers) || authServers.length === 0) throw new TypeError('AAuthClient: authServers must list at least one issuer (omit it to accept any https issuer)');
  for (const issuer of authServers) {
    let url: URL | undefined;
    try {
      url = typeof issuer === 'string' ? new URL(issuer) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new TypeError(`AAuthClient: authServers entry ${JSON.stringify(issuer)} is not an http(s) issuer URL`);
  }
}

/**
 * 2026-03 §Call Chaining: the upstream token is the user's authorization, readable by whoever
 * receives it. It goes to the auth server that issued it (its `iss`) and to no other, whatever a
 * downstream resource names; a resource naming another server gets no exchange at all.
 */
function checkUpstreamIssuer(upstream: string, authServer: string): void {
  const { iss } = peekClaims(upstream, 'invalid_auth_token');
  if (iss !== authServer) {
    throw new TokenError('invalid_resource_token', `the resource names auth server ${authServer}, but the upstream token was issued by ${String(iss)}: it is sent to its own issuer only`, { field: 'auth-server', reason: 'upstream_issuer_mismatch', expected: iss, actual: authServer });
  }
}
