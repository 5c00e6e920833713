/**
 * Resource options, validated once at construction (misuse is a `TypeError`, never a per-request
 * surprise). Identifier rules follow wire notes §5.3 with the two explicit relaxations of
 * DESIGN.md "Identifiers": loopback `http` + port in development, and an auth-server issuer with a
 * Keycloak path (`{origin}/realms/{realm}`) trusted by its exact string.
 */
import type { X509Certificate } from 'node:crypto';
import {
  AAUTH_CURRENT, PROFILE_NAMES, checkSharedCacheOptions, consoleWarnLogger, isAAuthLogger, isSharedStore, isComponentPolicy, isLoopbackHost, isServerIdentifier, parseTrustAnchors, PROFILE,
  type AAuthLogger, type SharedCacheOptions, type SharedStore, type AccessMode, type ComponentPolicy, type FetcherOptions, type IdentifierPolicy, type KeyDiscovery, type ProfileName, type SigningKey,
} from '@aauth-ts/core';
import { normalizeScopes } from './requirement.js';

export interface ReplayOptions {
  /** Methods whose signatures are single-use inside the window. Default: POST, PUT, PATCH, DELETE. */
  readonly methods?: readonly string[];
  /**
   * Bound on remembered requests, all callers together. Split 70 % authorized (auth token), 20 %
   * identified (agent token, `jwks_uri`), 10 % pseudonymous (`hwk`); one agent may hold 1/8 of its
   * share. A full share refuses its class (503), an agent over its quota gets 429. Default 100 000.
   */
  readonly maxEntries?: number;
}

export interface TokenCacheOptions {
  /** Bound on verified tokens kept until their `exp`. Default 10 000. */
  readonly maxEntries?: number;
  /** Bound on their memory, bytes (about twice each token's length). Default 32 MiB. */
  readonly maxBytes?: number;
}

export interface ResourceOptions {
  /**
   * The wire profile: `'aauth-2026-03'` (default) or `'aauth-current'`
   * (draft-hardt-oauth-aauth-protocol). Both, as an array, serve each request in the profile of the
   * token it presents (its `typ`); the first is the one unsigned requests are answered in.
   */
  readonly profile?: ProfileName | readonly ProfileName[];
  /**
   * Current profile: Person Servers whose person tokens (`aa-person+jwt`) are accepted, and in
   * three-party whose auth tokens are, by exact issuer string (a Keycloak `{origin}/realms/{realm}` is fine).
   */
  readonly trustedPersonServers?: readonly string[];
  /**
   * Current profile: published as `access_mode` (draft-hardt-oauth-aauth-protocol §Resource
   * Metadata): the credential flow an agent should expect first; advisory, the runtime
   * `AAuth-Requirement` decides.
   */
  readonly accessMode?: AccessMode;
  /** This resource's identifier (`https://resource.example`; loopback `http` + port when `development`). */
  readonly resource: string;
  /** Signs resource tokens; published at `jwks_uri`. */
  readonly signingKey: SigningKey;
  /**
   * Issuer of the auth server named in `require=auth-token` challenges (a Keycloak `{origin}/realms/{realm}`
   * is fine). Required in the 2026-03 profile. Current profile: the resource's own access server
   * (four-party, the `aud` of its resource tokens); without it resource tokens go to the person
   * token's Person Server (three-party).
   */
  readonly authServer?: string;
  /** Issuers whose auth tokens are accepted, by exact string. Default `[authServer]` (none without one). */
  readonly trustedIssuers?: readonly string[];
  /**
   * Development on one machine: identifiers may be `http` + loopback + port, and metadata/JWKS may
   * be fetched from loopback. Never on in production.
   */
  readonly development?: boolean;
  /** Limits of the metadata/JWKS fetcher (timeouts, size, `allowLoopback`, …). */
  readonly fetcher?: FetcherOptions;
  /** Share a key discovery (and its cache) with other parts of the app; overrides `fetcher`. */
  readonly keyDiscovery?: KeyDiscovery;
  /** Allowed distance of `created` from now, seconds (2026-03 §Signature Parameters: 60). */
  readonly signatureWindow?: number;
  /** Replay refusal for state-changing requests; `false` turns it off. */
  readonly replay?: ReplayOptions | false;
  /** Cache of verified tokens, each kept until its `exp` and never longer than `fetcher.ttlMs`; `false` verifies every token every time. */
  readonly tokenCache?: TokenCacheOptions | false;
  /**
   * Where the replay cache lives when several instances serve this resource (`RedisStore` from
   * `@aauth-ts/store-redis`): each signature is then accepted once across all of them. Bounded by
   * the store (Redis `maxmemory` with `noeviction`), not by `replay.maxEntries`; an unreachable
   * store refuses state-changing requests with 503 `temporarily_unavailable`. Default: this
   * process's memory.
   */
  readonly store?: SharedStore;
  /**
   * Opt-in: share the verified-token cache and the metadata/JWKS cache with the other instances
   * of this resource through `store` (`RedisStore`), so a token verified at one is taken at
   * another without a signature check or a key fetch. Every entry is MAC'd (HMAC-SHA-256) under
   * `secret`, the same on every instance and at least 32 bytes, so whoever can write to the store
   * cannot make a token accepted: an entry that does not verify is ignored, logged, and the work
   * done afresh. Verdicts live until the token's `exp` and never longer than `fetcher.ttlMs`. An
   * unreachable store means verifying locally (one `warn` line). Needs `tokenCache` on for
   * verdicts; documents are shared only through the fetcher this resource builds (not a given
   * `keyDiscovery`). Default: both caches stay in this process.
   */
  readonly sharedCache?: SharedCacheOptions;
  /** Components every request must cover; published as `additional_signature_components`. */
  readonly additionalSignatureComponents?: readonly string[];
  /**
   * Which components a signature must cover besides `additionalSignatureComponents`
   * (2026-03 §Covered Components). `strict` (default): `@query` when the URL has a query and
   * `content-type content-digest` when there is a body, published in `additional_signature_components`.
   * `draft-minimum`: only the draft's `@method @authority @path signature-key`; the query and the
   * body are then not bound to the signature (a captured request's body or query can be swapped
   * within the signature window), unless the agent covers them of its own accord.
   */
  readonly signatureComponents?: ComponentPolicy;
  /** Published as `scope_descriptions` (the auth server's consent text). */
  readonly scopeDescriptions?: Readonly<Record<string, string>>;
  /** Published as `client_name`. */
  readonly clientName?: string;
  /** Lifetime of issued resource tokens, seconds. Default 300 (wire notes §7.7: ≤ 5 min). */
  readonly resourceTokenLifetime?: number;
  /** Path of the JWKS document. Default `/.well-known/jwks.json`. */
  readonly jwksPath?: string;
  /** `@authority` values accepted (RFC 9421 §2.2.3). Default: the host of `resource`. */
  readonly authorities?: readonly string[];
  /** Largest request body read for `Content-Digest` checking, bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Where decisions and warnings go: any pino-compatible logger (`pino()`, a child logger, or an
   * object with `info(obj, msg)` and `warn(obj, msg)`). Each decision is one `info` line
   * `aauth decision`; a failed metadata/JWKS fetch's diagnostic is a `warn` line. Default: decisions
   * are not logged, warnings go to `console.warn`.
   */
  readonly logger?: AAuthLogger;
  /**
   * Serve the resource token endpoint at this path and publish it as `resource_token_endpoint`
   * (2026-03 §Resource Token Endpoint): agents ask for a resource token before their first call.
   * Off by default.
   */
  readonly resourceTokenEndpoint?: string;
  /** Published as `interaction_endpoint`: the page (served by the app) where users go for `require=interaction` (§Resource Interaction). */
  readonly interactionEndpoint?: string;
  /** Published as `logo_uri` (https; §Other URLs). */
  readonly logoUri?: string;
  /** Published as `logo_dark_uri` (https; §Other URLs). */
  readonly logoDarkUri?: string;
  /** Path under which pending URLs of deferred responses live (§Deferred Responses). Default `/aauth/pending`. */
  readonly pendingPath?: string;
  /** How long a deferred request may stay pending, seconds. Default 600. */
  readonly deferralLifetime?: number;
  /** Bound on deferred requests pending at once (further deferrals get 503). Default 10 000. */
  readonly maxDeferrals?: number;
  /** Longest a poll is held for `Prefer: wait=N`, seconds. Default 20. */
  readonly maxPollWait?: number;
  /**
   * Trust anchors for the `x509` Signature-Key scheme: PEM text (one bundle or several). Without
   * them the scheme is refused (`401 invalid_signature`, "no X.509 trust anchors are configured").
   */
  readonly x509TrustAnchors?: string | readonly string[];
  /** Clock, seconds since the epoch (tests). */
  readonly now?: () => number;
}

export interface ResolvedOptions {
  /** The profiles served, the default one (for requests that present no token) first. */
  readonly profiles: readonly ProfileName[];
  readonly trustedPersonServers: readonly string[];
  readonly accessMode: AccessMode | undefined;
  readonly resource: string;
  readonly origin: URL;
  readonly signingKey: SigningKey;
  /** Always set when the 2026-03 profile is served. */
  readonly authServer: string | undefined;
  readonly trustedIssuers: readonly string[];
  readonly identifiers: IdentifierPolicy;
  readonly fetcher: FetcherOptions;
  readonly keyDiscovery: KeyDiscovery | undefined;
  readonly signatureWindow: number;
  readonly replay: { readonly methods: ReadonlySet<string>; readonly maxEntries: number } | false;
  readonly tokenCache: { readonly maxEntries: number; readonly maxBytes: number } | false;
  readonly store: SharedStore | undefined;
  readonly sharedCache: SharedCacheOptions | undefined;
  readonly additionalSignatureComponents: readonly string[];
  readonly signatureComponents: ComponentPolicy;
  readonly scopeDescriptions: Readonly<Record<string, string>> | undefined;
  readonly clientName: string | undefined;
  readonly resourceTokenLifetime: number;
  readonly jwksPath: string;
  readonly authorities: ReadonlySet<string>;
  readonly maxBodyBytes: number;
  readonly logger: AAuthLogger;
  readonly resourceTokenPath: string | undefined;
  readonly interactionEndpoint: string | undefined;
  readonly logoUri: string | undefined;
  readonly logoDarkUri: string | undefined;
  readonly pendingPath: string;
  readonly deferralLifetime: number;
  readonly maxDeferrals: number;
  readonly maxPollWait: number;
  readonly x509TrustAnchors: readonly X509Certificate[];
  readonly now: () => number;
}

const KNOWN = new Set(['profile', 'trustedPersonServers', 'accessMode', 'resource', 'signingKey', 'authServer', 'trustedIssuers', 'development', 'fetcher', 'keyDiscovery', 'signatureWindow', 'replay', 'tokenCache', 'store', 'sharedCache',
  'additionalSignatureComponents', 'signatureComponents', 'scopeDescriptions', 'clientName', 'resourceTokenLifetime', 'jwksPath', 'authorities', 'maxBodyBytes', 'logger', 'now',
  'resourceTokenEndpoint', 'interactionEndpoint', 'logoUri', 'logoDarkUri', 'pendingPath', 'deferralLifetime', 'maxDeferrals', 'maxPollWait', 'x509TrustAnchors']);

/** The auth server of the 2026-03 profile (always configured when that profile is served). */
export function legacyAuthServer(options: Pick<ResolvedOptions, 'authServer'>): string {
  if (options.authServer === undefined) throw new TypeError('aauth: the 2026-03 profile needs "authServer"');
  return options.authServer;
}

/** An absolute path without query or fragment (a route this middleware serves). */
function pathOption(value: unknown, name: string, fallback?: string): string | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\/[^?#]*[^/?#]$/.test(value)) throw new TypeError(`aauth: "${name}" must be an absolute path without query, fragment or trailing slash`);
  return value;
}

/**
 * 2026-03 §Endpoint URLs and §Other URLs: `https` (or, in development, `http` on a loopback
 * host); an endpoint also has no query and no fragment.
 */
function urlOption(value: unknown, name: string, development: boolean, endpoint: boolean): string | undefined {
  if (value === undefined) return undefined;
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  const secure = url !== undefined && (url.protocol === 'https:' || (development && url.protocol === 'http:' && isLoopbackHost(url.hostname)));
  if (!secure) throw new TypeError(`aauth: "${name}" must be an https URL${development ? ' (or http on a loopback host)' : ''}`);
  if (endpoint && /[?#]/.test(value as string)) throw new TypeError(`aauth: "${name}" must not contain a query or fragment`);
  return value as string;
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new TypeError(`aauth: "${name}" must be a positive integer`);
  return value;
}

/** An issuer URL: a server identifier, or one with a path (Keycloak realms) but no query, fragment or trailing slash. */
function isIssuerUrl(value: string, policy: IdentifierPolicy): boolean {
  if (isServerIdentifier(value, policy)) return true;
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return isServerIdentifier(`${url.protocol}//${url.host}`, policy) && `${url.protocol}//${url.host}${url.pathname}` === value && /^(\/[^/]+)+$/.test(url.pathname);
}

export function resolveOptions(options: ResourceOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('aauth: options must be an object');
  for (const name of Object.keys(options)) if (!KNOWN.has(name)) throw new TypeError(`aauth: unknown option "${name}"`);
  const development = options.development ?? false;
  if (typeof development !== 'boolean') throw new TypeError('aauth: "development" must be a boolean');
  const identifiers: IdentifierPolicy = { allowLoopbackHttp: development };

  if (typeof options.resource !== 'string' || !isServerIdentifier(options.resource, identifiers)) {
    throw new TypeError(`aauth: "resource" ${JSON.stringify(options.resource)} is not a server identifier (https, lowercase, scheme and host only${development ? ', or http + loopback + port' : '; set development for loopback http'})`);
  }
  const key = options.signingKey as SigningKey | undefined;
  if (typeof key !== 'object' || key === null || key.privateKey?.type !== 'private' || typeof key.kid !== 'string') {
    throw new TypeError('aauth: "signingKey" must be a SigningKey (generateSigningKey or importSigningKey from @aauth-ts/core)');
  }
  const profileOption = options.profile ?? 'aauth-2026-03';
  const profiles: readonly unknown[] = typeof profileOption === 'string' ? [profileOption] : profileOption;
  if (!Array.isArray(profiles) || profiles.length === 0 || profiles.some((p) => !PROFILE_NAMES.includes(p as ProfileName)) || new Set(profiles).size !== profiles.length) {
    throw new TypeError(`aauth: "profile" must be ${PROFILE_NAMES.map((p) => `"${p}"`).join(' or ')}, or an array of both`);
  }
  const legacy = profiles.includes('aauth-2026-03');
  if (options.authServer !== undefined || legacy) {
    if (typeof options.authServer !== 'string' || !isIssuerUrl(options.authServer, identifiers)) {
      throw new TypeError(`aauth: "authServer" ${JSON.stringify(options.authServer)} is not an issuer URL`);
    }
  }
  const issuerList = (value: unknown, name: string, nonEmpty: boolean): string[] => {
    if (!Array.isArray(value) || (nonEmpty && value.length === 0) || value.some((i) => typeof i !== 'string' || !isIssuerUrl(i, identifiers))) {
      throw new TypeError(`aauth: "${name}" must be a${nonEmpty ? ' non-empty' : 'n'} array of issuer URLs`);
    }
    return [...(value as string[])];
  };
  // 2026-03 needs an auth server; the current profile may run on Person Servers alone (three-party).
  const trustedIssuers = issuerList(options.trustedIssuers ?? (options.authServer === undefined ? [] : [options.authServer]), 'trustedIssuers', legacy);
  const trustedPersonServers = issuerList(options.trustedPersonServers ?? [], 'trustedPersonServers', false);
  if (!profiles.includes('aauth-current') && options.trustedPersonServers !== undefined) throw new TypeError('aauth: "trustedPersonServers" needs the "aauth-current" profile');
  const modes: readonly string[] = AAUTH_CURRENT.accessModes;
  if (options.accessMode !== undefined && !profiles.includes('aauth-current')) throw new TypeError('aauth: "accessMode" needs the "aauth-current" profile');
  if (options.accessMode !== undefined && !modes.includes(options.accessMode)) throw new TypeError(`aauth: "accessMode" must be one of ${modes.join(', ')}`);

  let replay: ResolvedOptions['replay'] = false;
  if (options.replay !== false) {
    const methods = options.replay?.methods ?? ['POST', 'PUT', 'PATCH', 'DELETE'];
    if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || !/^[A-Za-z]+$/.test(m))) throw new TypeError('aauth: "replay.methods" must be an array of method names');
    replay = { methods: new Set(methods.map((m) => m.toUpperCase())), maxEntries: positiveInteger(options.replay?.maxEntries, 'replay.maxEntries', 100_000) };
  }
  const tokenCache = options.tokenCache === false ? false : {
    maxEntries: positiveInteger(options.tokenCache?.maxEntries, 'tokenCache.maxEntries', 10_000),
    maxBytes: positiveInteger(options.tokenCache?.maxBytes, 'tokenCache.maxBytes', 32 * 1024 * 1024),
  };

  if (options.store !== undefined && !isSharedStore(options.store)) throw new TypeError('aauth: "store" must be a SharedStore (MemoryStore from @aauth-ts/core, RedisStore from @aauth-ts/store-redis)');

  const sharedCache = options.sharedCache === undefined ? undefined : checkSharedCacheOptions(options.sharedCache, 'aauth: "sharedCache"');

  const extra = options.additionalSignatureComponents ?? [];
  if (!Array.isArray(extra) || extra.some((c) => typeof c !== 'string' || c.length === 0)) throw new TypeError('aauth: "additionalSignatureComponents" must be an array of component names');
  const known = new Set<string>(Object.values(PROFILE.components));
  for (const c of extra) {
    if (c.startsWith('@') && !known.has(c)) throw new TypeError(`aauth: unknown derived component ${JSON.stringify(c)} in "additionalSignatureComponents"`);
  }

  const signatureComponents = options.signatureComponents ?? 'strict';
  if (!isComponentPolicy(signatureComponents)) throw new TypeError('aauth: "signatureComponents" must be "strict" or "draft-minimum"');

  if (options.scopeDescriptions !== undefined) {
    const d = options.scopeDescriptions;
    if (typeof d !== 'object' || d === null || Object.values(d).some((v) => typeof v !== 'string')) throw new TypeError('aauth: "scopeDescriptions" must map scope names to strings');
    normalizeScopes(Object.keys(d), 'aauth: "scopeDescriptions"');
  }
  if (options.clientName !== undefined && typeof options.clientName !== 'string') throw new TypeError('aauth: "clientName" must be a string');
  const jwksPath = options.jwksPath ?? '/.well-known/jwks.json';
  if (typeof jwksPath !== 'string' || !/^\/[^?#]*$/.test(jwksPath)) throw new TypeError('aauth: "jwksPath" must be an absolute path without query or fragment');

  const origin = new URL(options.resource);
  const authorities = options.authorities ?? [origin.host];
  if (!Array.isArray(authorities) || authorities.some((a) => typeof a !== 'string' || a.length === 0)) throw new TypeError('aauth: "authorities" must be an array of host[:port] strings');
  const anchors = options.x509TrustAnchors ?? [];
  if (typeof anchors !== 'string' && (!Array.isArray(anchors) || anchors.some((a) => typeof a !== 'string'))) throw new TypeError('aauth: "x509TrustAnchors" must be PEM text or an array of PEM texts');
  let x509TrustAnchors: X509Certificate[];
  try {
    x509TrustAnchors = anchors.length === 0 ? [] : parseTrustAnchors(anchors);
  } catch (cause) {
    throw new TypeError('aauth: "x509TrustAnchors" holds text that is not a PEM certificate', { cause });
  }
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  if (typeof now !== 'function') throw new TypeError('aauth: "now" must be a function returning seconds');
  const logger = options.logger ?? consoleWarnLogger;
  if (!isAAuthLogger(logger)) throw new TypeError('aauth: "logger" must be a pino-compatible logger (with info(obj, msg) and warn(obj, msg))');

  return Object.freeze({
    profiles: Object.freeze([...profiles] as ProfileName[]),
    trustedPersonServers: Object.freeze(trustedPersonServers),
    accessMode: options.accessMode,
    resource: options.resource,
    origin,
    signingKey: key,
    authServer: options.authServer,
    trustedIssuers: Object.freeze(trustedIssuers),
    identifiers,
    fetcher: { ...options.fetcher, allowLoopback: options.fetcher?.allowLoopback ?? development },
    keyDiscovery: options.keyDiscovery,
    signatureWindow: positiveInteger(options.signatureWindow, 'signatureWindow', 60),
    replay,
    tokenCache,
    store: options.store,
    sharedCache,
    additionalSignatureComponents: Object.freeze([...extra]),
    signatureComponents,
    scopeDescriptions: options.scopeDescriptions,
    clientName: options.clientName,
    resourceTokenLifetime: positiveInteger(options.resourceTokenLifetime, 'resourceTokenLifetime', 300),
    jwksPath,
    authorities: new Set(authorities.map((a) => a.toLowerCase())),
    maxBodyBytes: positiveInteger(options.maxBodyBytes, 'maxBodyBytes', 1024 * 1024),
    logger,
    resourceTokenPath: pathOption(options.resourceTokenEndpoint, 'resourceTokenEndpoint'),
    interactionEndpoint: urlOption(options.interactionEndpoint, 'interactionEndpoint', development, true),
    logoUri: urlOption(options.logoUri, 'logoUri', development, false),
    logoDarkUri: urlOption(options.logoDarkUri, 'logoDarkUri', development, false),
    pendingPath: pathOption(options.pendingPath, 'pendingPath', '/aauth/pending') as string,
    deferralLifetime: positiveInteger(options.deferralLifetime, 'deferralLifetime', 600),
    maxDeferrals: positiveInteger(options.maxDeferrals, 'maxDeferrals', 10_000),
    maxPollWait: positiveInteger(options.maxPollWait, 'maxPollWait', 20),
    x509TrustAnchors: Object.freeze(x509TrustAnchors),
    now,
  });
}
