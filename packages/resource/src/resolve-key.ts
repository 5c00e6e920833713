/**
 * Key resolution per `Signature-Key` scheme (2026-03 §HTTP Signature Verification step 4, §JWT
 * Verification; wire notes §1.3). Each branch returns the key that must have made the HTTP
 * signature and what it learnt about the caller; the caller's signature is verified afterwards.
 *
 *  - `hwk`: the inline key; pseudonymous.
 *  - `jwks_uri`: `{id}/.well-known/aauth-agent.json` → `jwks_uri` → `kid`; agent = `id`.
 *  - `jwt`, decided by the JWT `typ` (peeked, unverified, only to route):
 *      `agent+jwt` → agent token (agent = `iss`, delegate = `sub`), key = `cnf.jwk`;
 *      `auth+jwt`  → auth token (issuer trusted, `aud` = this resource), agent = `agent`,
 *                    key = `cnf.jwk`, so `cnf` binds to the signer by construction.
 *  - `x509`: the PEM chain at `x5u`, validated to `x509TrustAnchors` (refused when there are
 *    none), key = the leaf's; agent = the leaf's one URI subjectAltName that is a server
 *    identifier (none, or several: identified by certificate only, no agent).
 *
 * Does not check: scopes (route policy), replay (after the signature verifies).
 */
import {
  FetchError, KeyDiscovery, PROFILE, SignatureError, TokenError, X509CertificateVerifier, isServerIdentifier, keyUnavailableMessage, peekTyp, requireAgentDocument, verifyAgentToken, verifyAuthToken,
  type JwksUriSignatureKey, type PublicJwk, type ResolvedKey, type SignatureKey, type X509SignatureKey,
} from '@aauth-ts/core';
import type { AAuthContext } from './context.js';
import type { ResolvedOptions } from './options.js';
import { parseScopeClaim } from './requirement.js';
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
  readonly #cache: VerifiedTokenCache<CachedToken> | undefined;
  readonly #x509: X509CertificateVerifier;

  constructor(options: ResolvedOptions, keys: KeyDiscovery) {
    this.#options = options;
    this.#keys = keys;
    this.#x509 = new X509CertificateVerifier({ anchors: options.x509TrustAnchors, fetcher: keys.fetcher, now: options.now });
    this.#cache = options.tokenCache === false ? undefined : new VerifiedTokenCache<CachedToken>(options.tokenCache);
  }

  /** Verified tokens held now (entries, bytes); undefined when the cache is off. */
  get tokenCacheStats(): { readonly entries: number; readonly bytes: number } | undefined {
    return this.#cache === undefined ? undefined : { entries: this.#cache.size, bytes: this.#cache.bytes };
  }

  resolve(signatureKey: SignatureKey): Promise<CachedToken> | CachedToken {
    switch (signatureKey.scheme) {
      case 'hwk': return { jwk: signatureKey.jwk, info: { scheme: 'hwk', scopes: [] } };
      case 'jwks_uri': return this.#jwksUri(signatureKey);
      case 'jwt': return this.#jwt(signatureKey.jwt);
      case 'x509': return this.#certificate(signatureKey);
    }
  }

  async #certificate(key: X509SignatureKey): Promise<CachedToken> {
    const { jwk, info } = await this.#x509.resolve(key);
    const agents = info.uris.filter((uri) => isServerIdentifier(uri, this.#options.identifiers));
    const agent = agents.length === 1 ? agents[0] : undefined;
    return { jwk, info: { scheme: 'x509', scopes: [], certificate: info.leaf, ...(agent === undefined ? {} : { agent }) } };
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
    return { jwk, info: { scheme: 'jwks_uri', agent: key.id, scopes: [] } };
  }

  async #jwt(token: string): Promise<CachedToken> {
    const now = this.#options.now();
    const cached = this.#cache?.get(token, now);
    if (cached !== undefined) return cached;
    const typ = peekTyp(token);
    let result: CachedToken;
    if (typ === PROFILE.typ.agent) {
      const claims = await verifyAgentToken(token, { keys: this.#keys, identifiers: this.#options.identifiers, audience: this.#options.resource, now });
      result = { jwk: claims.cnf.jwk, info: { scheme: 'jwt', tokenType: 'agent', agent: claims.iss, delegate: claims.sub, issuer: claims.iss, claims, scopes: [] } };
    } else if (typ === PROFILE.typ.auth) {
      const claims = await verifyAuthToken(token, { keys: this.#keys, trustedIssuers: this.#options.trustedIssuers, audience: this.#options.resource, now });
      // §Auth Token Verification 4: `agent` is the agent of the signing context; for the `jwt`
      // scheme the token is that context, so it must at least name a valid agent identifier.
      if (!isServerIdentifier(claims.agent, this.#options.identifiers)) {
        throw new TokenError('invalid_auth_token', `auth token "agent" ${JSON.stringify(claims.agent)} is not an agent identifier`, { field: 'agent', reason: 'invalid_identifier', actual: claims.agent });
      }
      const delegate = typeof claims.agent_delegate === 'string' ? claims.agent_delegate : undefined;
      result = {
        jwk: claims.cnf.jwk,
        info: {
          scheme: 'jwt', tokenType: 'auth', agent: claims.agent, issuer: claims.iss, claims, scopes: parseScopeClaim(claims.scope), authToken: token,
          ...(delegate === undefined ? {} : { delegate }), ...(claims.sub === undefined ? {} : { sub: claims.sub }),
          ...(claims.act === undefined ? {} : { act: claims.act }), ...(claims.auth_time === undefined ? {} : { authTime: claims.auth_time }),
        },
      };
    } else {
      throw new SignatureError('invalid_signature', `Signature-Key jwt must be an ${PROFILE.typ.agent} or ${PROFILE.typ.auth} token, got typ ${JSON.stringify(typ ?? null)}`, { field: 'typ', reason: 'unsupported_token_type', actual: typ });
    }
    this.#cache?.set(token, result, result.info.claims?.exp ?? 0, now);
    return result;
  }
}
