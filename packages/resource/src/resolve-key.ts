/**
 * Key resolution per `Signature-Key` scheme (2026-03 §HTTP Signature Verification step 4, §JWT
 * Verification; wire notes §1.3). Each branch returns the key that must have made the HTTP
 * signature and what it learnt about the caller; the caller's signature is verified afterwards.
 *
 *  - `hwk`: the inline key; pseudonymous.
 *  - `jwks_uri`: `{id}/.well-known/aauth-agent.json` → `jwks_uri` → `kid`; agent = `id`.
 *  - `jwt`, decided by the JWT `typ` (peeked, unverified, only to route); a `typ` of a profile
 *    this resource does not serve is refused:
 *      `agent+jwt` → agent token (agent = `iss`, delegate = `sub`), key = `cnf.jwk`;
 *      `auth+jwt`  → auth token (issuer trusted, `aud` = this resource), agent = `agent`,
 *                    key = `cnf.jwk`, so `cnf` binds to the signer by construction;
 *      `at+jwt`    → an RFC 8693 delegated token (2026-03 resources; see `#delegatedToken`);
 *      `aa-agent+jwt`  → agent token (draft-hardt-oauth-aauth-protocol §Agent Token
 *                        Verification): agent = `sub`, key = `cnf.jwk`;
 *      `aa-person+jwt` → person token (§Person Token Verification): issuer one of
 *                        `trustedPersonServers`, `aud` = this resource; person = (`iss`, `sub`);
 *      `aa-auth+jwt`   → auth token (§Auth Token Verification): issuer one of `trustedIssuers`
 *                        (an access server) or `trustedPersonServers` (three-party), `aud` = this
 *                        resource, `sub` required; person = (`ps`, `sub`).
 *    In each case the key is `cnf.jwk`: the request signature is then verified with it, which is
 *    the draft's "`cnf.jwk` matches the key used to sign the HTTP request".
 *  - `x509`: the PEM chain at `x5u`, validated to `x509TrustAnchors` (refused when there are
 *    none), key = the leaf's; agent = the leaf's one URI subjectAltName that is a server
 *    identifier (none, or several: identified by certificate only, no agent).
 *
 * Does not check: scopes (route policy), replay (after the signature verifies).
 */
import {
  AAUTH_CURRENT, FetchError, KeyDiscovery, PROFILE, SignatureError, TokenError, X509CertificateVerifier, confirmationJwk, isServerIdentifier, keyUnavailableMessage, peekClaims,
  TOKEN_EXCHANGE, peekTyp, type SharedCache, requireAgentDocument, verifyDelegatedToken, verifyAaAgentToken, verifyAaAuthToken, verifyAaPersonToken, verifyAgentToken, verifyAuthToken,
  type IdentifierPolicy, type JwksUriSignatureKey, type ProfileName, type PublicJwk, type ResolvedKey, type SignatureKey, type WireErrorCode, type X509SignatureKey,
} from '@aauth-ts/core';
import type { AAuthContext } from './context.js';
import type { ResolvedOptions } from './options.js';
import { SIGNING_TYPS, profileOfTyp, tokenlessProfile } from './profiles.js';
import { parseScopeClaim } from './requirement.js';
import { SharedVerdicts } from './shared-verdicts.js';
import { VerifiedTokenCache } from './token-cache.js';

/**
 * What the signing context says about the caller, before the signature itself is checked: the
 * route's `AAuthContext` without what only the verified signature adds.
 */
export type CallerInfo = Omit<AAuthContext, 'thumbprint' | 'jwk' | 'components' | 'created'>;

export type CachedToken = ResolvedKey<CallerInfo>;

export class KeyResolver {
  readonly #options: ResolvedOptions;
  readonly #keys: KeyDiscovery;
  /** Current-profile issuer keys through `dwk` (same fetcher and cache as `#keys`). */
  readonly #currentKeys: KeyDiscovery;
  /** Issuers configured by exact string (a Keycloak realm's path) are identifiers too. */
  readonly #currentIdentifiers: IdentifierPolicy;
  readonly #cache: VerifiedTokenCache<CachedToken> | undefined;
  /** Verdicts shared with the other instances (`sharedCache`); only beside the in-process cache. */
  readonly #shared: SharedVerdicts | undefined;
  readonly #x509: X509CertificateVerifier;

  constructor(options: ResolvedOptions, keys: KeyDiscovery, shared?: SharedCache) {
    this.#options = options;
    this.#keys = keys;
    this.#currentKeys = new KeyDiscovery(keys.fetcher, { profile: 'aauth-current' });
    this.#currentIdentifiers = { ...options.identifiers, exact: [...options.trustedIssuers, ...options.trustedPersonServers] };
    this.#x509 = new X509CertificateVerifier({ anchors: options.x509TrustAnchors, fetcher: keys.fetcher, now: options.now });
    // A verdict, here or shared, outlives neither the token nor the JWKS it was checked against.
    const keyTtlSeconds = Math.floor(keys.fetcher.options.ttlMs / 1000);
    this.#cache = options.tokenCache === false ? undefined : new VerifiedTokenCache<CachedToken>(options.tokenCache, keyTtlSeconds);
    this.#shared = shared === undefined || this.#cache === undefined ? undefined : new SharedVerdicts(shared, options, keyTtlSeconds);
  }

  /** Verified tokens held now (entries, bytes); undefined when the cache is off. */
  get tokenCacheStats(): { readonly entries: number; readonly bytes: number } | undefined {
    return this.#cache === undefined ? undefined : { entries: this.#cache.size, bytes: this.#cache.bytes };
  }

  /** The profile of a request signed without a token (see `tokenlessProfile`). */
  get #fallbackProfile(): ProfileName {
    return tokenlessProfile(this.#options);
  }

  resolve(signatureKey: SignatureKey): Promise<CachedToken> | CachedToken {
    switch (signatureKey.scheme) {
      case 'hwk': return { jwk: signatureKey.jwk, info: { profile: this.#fallbackProfile, scheme: 'hwk', scopes: [] } };
      case 'jwks_uri': return this.#jwksUri(signatureKey);
      case 'jwt': return this.#jwt(signatureKey.jwt);
      case 'x509': return this.#certificate(signatureKey);
    }
  }

  async #certificate(key: X509SignatureKey): Promise<CachedToken> {
    const { jwk, info } = await this.#x509.resolve(key);
    const agents = info.uris.filter((uri) => isServerIdentifier(uri, this.#options.identifiers));
    const agent = agents.length === 1 ? agents[0] : undefined;
    const profile = this.#fallbackProfile;
    // The current profile verifies with the key's fully specified `alg` (§Signature Algorithms): the leaf's key type names it.
    return { jwk: profile === 'aauth-current' ? confirmationJwk(jwk) : jwk, info: { profile, scheme: 'x509', scopes: [], certificate: info.leaf, ...(agent === undefined ? {} : { agent }) } };
  }

  async #jwksUri(key: JwksUriSignatureKey): Promise<CachedToken> {
    if (!isServerIdentifier(key.id, this.#options.identifiers)) {
      throw new SignatureError('invalid_signature', `Signature-Key "id" ${JSON.stringify(key.id)} is not an agent server identifier`, { field: 'id', reason: 'invalid_identifier', actual: key.id });
    }
    requireAgentDocument(key);
    let jwk: PublicJwk;
    try {
      jwk = await this.#keys.getKey(key.id, PROFILE.wellKnown.agent, key.kid);
    } catch (cause) {
      if (!(cause instanceof FetchError)) throw cause;
      throw new SignatureError('invalid_signature', keyUnavailableMessage(cause), { field: 'kid', reason: 'key_unavailable', cause });
    }
    return { jwk, info: { profile: this.#fallbackProfile, scheme: 'jwks_uri', agent: key.id, scopes: [] } };
  }

  /** A verdict already held is answered at once (no promise): the warm request's path. */
  #jwt(token: string): Promise<CachedToken> | CachedToken {
    const now = this.#options.now();
    const cached = this.#cache?.get(token, now);
    return cached ?? this.#jwtAfresh(token, now);
  }

  async #jwtAfresh(token: string, now: number): Promise<CachedToken> {
    const shared = await this.#shared?.get(token, now);
    if (shared !== undefined) {
      this.#cache?.set(token, shared.value, shared.expiresAt, now);
      return shared.value;
    }
    const result = await this.#verifyToken(token, now);
    const exp = result.info.claims?.exp ?? 0;
    this.#cache?.set(token, result, exp, now);
    await this.#shared?.put(token, result, exp, now);
    return result;
  }

  async #verifyToken(token: string, now: number): Promise<CachedToken> {
    const typ = peekTyp(token);
    if (typ === TOKEN_EXCHANGE.accessTokenTyp && this.#options.profiles.includes('aauth-2026-03')) return this.#delegatedToken(token, now);
    const profile = profileOfTyp(typ);
    if (profile === undefined || !this.#options.profiles.includes(profile)) {
      const accepted = this.#options.profiles.flatMap((p) => SIGNING_TYPS[p]);
      const why = profile === undefined ? '' : ` (a ${profile} token; this resource speaks ${this.#options.profiles.join(' and ')})`;
      throw new SignatureError('invalid_signature', `Signature-Key jwt must be an ${accepted.join(' or ')} token, got typ ${JSON.stringify(typ ?? null)}${why}`, { field: 'typ', reason: 'unsupported_token_type', actual: typ });
    }
    const result = profile === 'aauth-current' ? await this.#currentToken(token, typ, now) : await this.#legacyToken(token, typ, now);
    // Frozen: the verdict is shared by every request that presents this token, so no route can
    // alter the key a later request is verified with; core also keeps a frozen key's thumbprint
    // and imported form, so a warm request does neither again.
    Object.freeze(result.jwk);
    return result;
  }

  /** 2026-03 `agent+jwt` and `auth+jwt`. */
  async #legacyToken(token: string, typ: unknown, now: number): Promise<CachedToken> {
    const profile: ProfileName = 'aauth-2026-03';
    if (typ === PROFILE.typ.agent) {
      const claims = await verifyAgentToken(token, { keys: this.#keys, identifiers: this.#options.identifiers, audience: this.#options.resource, now });
      return { jwk: claims.cnf.jwk, info: { profile, scheme: 'jwt', tokenType: 'agent', agent: claims.iss, delegate: claims.sub, issuer: claims.iss, claims, scopes: [] } };
    }
    const claims = await verifyAuthToken(token, { keys: this.#keys, trustedIssuers: this.#options.trustedIssuers, audience: this.#options.resource, now });
    // §Auth Token Verification 4: `agent` is the agent of the signing context; for the `jwt`
    // scheme the token is that context, so it must at least name a valid agent identifier.
    if (!isServerIdentifier(claims.agent, this.#options.identifiers)) {
      throw new TokenError('invalid_auth_token', `auth token "agent" ${JSON.stringify(claims.agent)} is not an agent identifier`, { field: 'agent', reason: 'invalid_identifier', actual: claims.agent });
    }
    const delegate = typeof claims.agent_delegate === 'string' ? claims.agent_delegate : undefined;
    return {
      jwk: claims.cnf.jwk,
      info: {
        profile, scheme: 'jwt', tokenType: 'auth', agent: claims.agent, issuer: claims.iss, claims, scopes: parseScopeClaim(claims.scope), authToken: token,
        ...(delegate === undefined ? {} : { delegate }), ...(claims.sub === undefined ? {} : { sub: claims.sub }),
        ...(claims.act === undefined ? {} : { act: claims.act }), ...(claims.auth_time === undefined ? {} : { authTime: claims.auth_time }),
      },
    };
  }

  /**
   * An RFC 8693 delegated token (`at+jwt`, core `verifyDelegatedToken`): issuer one of
   * `trustedIssuers`, `aud` = this resource, `act` well formed with `client_id` its outermost
   * actor, key = `cnf.jwk` (so it binds to the signer by construction). Whether a route takes it
   * is the route's decision (`requireAuth({ delegated })`); refusals here are `401 invalid_auth_token`.
   */
  async #delegatedToken(token: string, now: number): Promise<CachedToken> {
    let claims: Awaited<ReturnType<typeof verifyDelegatedToken>>;
    try {
      claims = await verifyDelegatedToken(token, { keys: this.#keys, trustedIssuers: this.#options.trustedIssuers, audience: this.#options.resource, now });
    } catch (err) {
      if (err instanceof TokenError) throw new TokenError('invalid_auth_token', `delegated token: ${err.message}`, { ...err.detail, cause: err }, { status: 401 });
      throw err;
    }
    const { chain, ...verified } = claims;
    if (!isServerIdentifier(verified.client_id, this.#options.identifiers)) {
      throw new TokenError('invalid_auth_token', `delegated token "client_id" ${JSON.stringify(verified.client_id)} is not an agent identifier`, { field: 'client_id', reason: 'invalid_identifier', actual: verified.client_id }, { status: 401 });
    }
    const scopes = parseScopeClaim(verified.scope);
    return {
      jwk: verified.cnf.jwk,
      info: {
        profile: 'aauth-2026-03', scheme: 'jwt', tokenType: 'delegated', agent: verified.client_id, issuer: verified.iss, sub: verified.sub, act: verified.act, claims: verified, scopes, authToken: token,
        delegation: { issuer: verified.iss, subject: verified.sub, act: chain, scope: scopes },
      },
    };
  }

  /** Current profile `aa-agent+jwt`, `aa-person+jwt` and (the rest of `SIGNING_TYPS`) `aa-auth+jwt`. */
  async #currentToken(token: string, typ: unknown, now: number): Promise<CachedToken> {
    const profile: ProfileName = 'aauth-current';
    const o = this.#options;
    const common = { profile, scheme: 'jwt' as const };
    switch (typ) {
      case AAUTH_CURRENT.typ.agent: {
        const claims = await verifyAaAgentToken(token, { keys: this.#currentKeys, identifiers: this.#currentIdentifiers, now });
        return { jwk: claims.cnf.jwk, info: { ...common, tokenType: 'agent', agent: claims.sub, issuer: claims.iss, claims, scopes: [] } };
      }
      case AAUTH_CURRENT.typ.person: {
        requireTrustedIssuer(token, o.trustedPersonServers, 'invalid_person_token', 'person token');
        const claims = await verifyAaPersonToken(token, { keys: this.#currentKeys, audience: o.resource, identifiers: this.#currentIdentifiers, now });
        return { jwk: claims.cnf.jwk, info: { ...common, tokenType: 'person', issuer: claims.iss, ps: claims.iss, sub: claims.sub, claims, scopes: [], ...personExtras(claims) } };
      }
      default: {
        requireTrustedIssuer(token, [...o.trustedIssuers, ...o.trustedPersonServers], 'invalid_auth_token', 'auth token');
        const claims = await verifyAaAuthToken(token, { keys: this.#currentKeys, audience: o.resource, identifiers: this.#currentIdentifiers, now });
        return {
          jwk: claims.cnf.jwk,
          info: { ...common, tokenType: 'auth', issuer: claims.iss, ps: claims.ps, sub: claims.sub, claims, scopes: parseScopeClaim(claims.scope), authToken: token, ...personExtras(claims) },
        };
      }
    }
  }
}

/**
 * A person or auth token's `iss` is one this resource trusts, by exact string, checked on the
 * unverified claims before anything is fetched: an untrusted issuer's metadata is never requested.
 */
function requireTrustedIssuer(token: string, trusted: readonly string[], code: WireErrorCode, what: string): void {
  const iss = peekClaims(token, code).iss;
  if (typeof iss !== 'string' || !trusted.includes(iss)) {
    throw new TokenError(code, `${what} issuer ${JSON.stringify(iss ?? null)} is not trusted here`, { field: 'iss', reason: 'untrusted', actual: iss }, { status: 401 });
  }
}

/** `mission_s256` and `tenant` of a person or auth token, when it carries them. */
function personExtras(claims: { readonly mission_s256?: unknown; readonly tenant?: unknown }): { missionS256?: string; tenant?: string } {
  return {
    ...(typeof claims.mission_s256 === 'string' ? { missionS256: claims.mission_s256 } : {}),
    ...(typeof claims.tenant === 'string' ? { tenant: claims.tenant } : {}),
  };
}
