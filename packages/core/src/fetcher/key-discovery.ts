/**
 * Issuer key discovery (wire notes §2.4): `{iss}/.well-known/{document}` → `jwks_uri` → JWKS →
 * the key with the token's `kid`. An unknown `kid` refetches the JWKS once, at most once per
 * cooldown per JWKS, so a flood of made-up `kid`s cannot turn into a flood of fetches. The
 * cooldown marks are keyed by caller-chosen URLs, so they are bounded like the fetcher's cache.
 */
import { FetchError } from '../errors.js';
import { wellKnownUrl } from '../identifiers.js';
import { BoundedCache } from '../lib/bounded-cache.js';
import type { JwkSet, PublicJwk } from '../jwk/types.js';
import { validateCurrentMetadata, validateMetadata } from '../metadata/validate.js';
import type { AccessServerMetadata, AgentMetadata, CurrentAgentMetadata, CurrentMetadata, CurrentResourceMetadata, IssuerMetadata, MetadataDocument, PersonServerMetadata, ResourceMetadata } from '../metadata/types.js';
import { AAUTH_2026_03, AAUTH_CURRENT, type CurrentMetadataDocument, type ProfileName } from '../profile/index.js';
import type { IssuerKeySource } from '../tokens/types.js';
import type { GuardedFetcher } from './guarded-fetcher.js';

export interface KeyDiscoveryOptions {
  /** Minimum time between two refetches of one JWKS for an unknown `kid`, ms (default 30 s). */
  readonly refetchCooldownMs?: number;
  /** Most JWKS URLs whose last refetch is remembered (default 1000; the oldest is forgotten first). */
  readonly refetchEntries?: number;
  /**
   * Whose metadata and key rules apply (default `aauth-2026-03`). `aauth-current`: the document is
   * the token's `dwk`, validated per draft-hardt-oauth-aauth-protocol §Metadata Documents (`issuer`),
   * and the selected key must carry the token's fully specified `alg` (§JWKS Discovery and Caching).
   */
  readonly profile?: ProfileName;
}

/**
 * draft-hardt-oauth-aauth-protocol §JWKS Discovery and Caching: a key without `alg` cannot be used,
 * and its `alg` must be the token's, fully specified (`EdDSA` never matches: RFC 9864 deprecates it
 * and §Signature Algorithms forbids it). Members not selected are never looked at.
 */
function currentKeyFitsAlg(jwk: PublicJwk, alg: string): boolean {
  return jwk.alg === alg && (AAUTH_CURRENT.algorithms as readonly string[]).includes(alg) && keyFitsAlg(jwk, alg);
}

function keyFitsAlg(jwk: PublicJwk, alg: string): boolean {
  switch (alg) {
    case 'EdDSA':
    case 'Ed25519': return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
    case 'ES256': return jwk.kty === 'EC' && jwk.crv === 'P-256';
    case 'RS256':
    case 'PS256': return jwk.kty === 'RSA';
    default: return false;
  }
}

/** A JWKS's members that are objects with a `kty`; selected by `kid` without requiring the rest to be usable. */
function usableKeys(keys: readonly unknown[]): PublicJwk[] {
  return keys.filter((k): k is PublicJwk => typeof k === 'object' && k !== null && typeof (k as PublicJwk).kty === 'string');
}

export class KeyDiscovery implements IssuerKeySource {
  readonly #fetcher: GuardedFetcher;
  readonly #cooldownMs: number;
  readonly #lastRefetch: BoundedCache<number>;
  readonly #current: boolean;

  constructor(fetcher: GuardedFetcher, options: KeyDiscoveryOptions = {}) {
    this.#fetcher = fetcher;
    this.#cooldownMs = options.refetchCooldownMs ?? 30_000;
    const entries = options.refetchEntries ?? 1000;
    this.#lastRefetch = new BoundedCache({ maxEntries: entries, maxBytes: entries * 1024 });
    this.#current = (options.profile ?? AAUTH_2026_03.name) === AAUTH_CURRENT.name;
  }

  get fetcher(): GuardedFetcher {
    return this.#fetcher;
  }

  /** How many JWKS URLs have a remembered refetch (bounded by `refetchEntries`). */
  get refetchMarks(): number {
    return this.#lastRefetch.size;
  }

  metadata(identifier: string, document: 'aauth-agent.json'): Promise<AgentMetadata>;
  metadata(identifier: string, document: 'aauth-resource.json'): Promise<ResourceMetadata>;
  metadata(identifier: string, document: 'aauth-issuer.json'): Promise<IssuerMetadata>;
  metadata(identifier: string, document: MetadataDocument): Promise<AgentMetadata | ResourceMetadata | IssuerMetadata>;
  async metadata(identifier: string, document: MetadataDocument): Promise<AgentMetadata | ResourceMetadata | IssuerMetadata> {
    const url = wellKnownUrl(identifier, document);
    try {
      return validateMetadata(document, identifier, await this.#fetcher.getJson(url));
    } catch (err) {
      // Never keep a document that failed validation.
      this.#fetcher.invalidate(url);
      throw err;
    }
  }

  /** A current-profile document at `{identifier}/.well-known/{dwk}`, its `issuer` checked. */
  currentMetadata(identifier: string, dwk: 'aauth-agent.json'): Promise<CurrentAgentMetadata>;
  currentMetadata(identifier: string, dwk: 'aauth-person.json'): Promise<PersonServerMetadata>;
  currentMetadata(identifier: string, dwk: 'aauth-access.json'): Promise<AccessServerMetadata>;
  currentMetadata(identifier: string, dwk: 'aauth-resource.json'): Promise<CurrentResourceMetadata>;
  currentMetadata(identifier: string, dwk: CurrentMetadataDocument): Promise<CurrentMetadata>;
  async currentMetadata(identifier: string, dwk: CurrentMetadataDocument): Promise<CurrentMetadata> {
    const url = wellKnownUrl(identifier, dwk);
    try {
      return validateCurrentMetadata(dwk, identifier, await this.#fetcher.getJson(url));
    } catch (err) {
      this.#fetcher.invalidate(url);
      throw err;
    }
  }

  async #jwksUri(issuer: string, document: string): Promise<string> {
    if (!this.#current) return (await this.metadata(issuer, document as MetadataDocument)).jwks_uri;
    if (!(Object.values(AAUTH_CURRENT.wellKnown) as string[]).includes(document)) {
      throw new FetchError('invalid_document', `"${document}" is not a metadata document of this profile`, { field: 'dwk', reason: 'unknown_document' });
    }
    const jwksUri = (await this.currentMetadata(issuer, document as CurrentMetadataDocument)).jwks_uri;
    if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
      throw new FetchError('invalid_document', `${document} of ${issuer} has no valid "jwks_uri"`, { field: 'jwks_uri' });
    }
    return jwksUri;
  }

  async #jwks(jwksUri: string): Promise<PublicJwk[]> {
    const doc = (await this.#fetcher.getJson(jwksUri)) as Partial<JwkSet> | null;
    if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.keys)) {
      this.#fetcher.invalidate(jwksUri);
      throw new FetchError('invalid_document', `${jwksUri} is not a JWK set`);
    }
    return usableKeys(doc.keys);
  }

  #select(keys: PublicJwk[], kid: string | undefined, alg: string | undefined): PublicJwk | undefined {
    const fits = this.#current ? currentKeyFitsAlg : keyFitsAlg;
    const fitting = keys.filter((k) => (alg === undefined || fits(k, alg)) && (k.use === undefined || k.use === 'sig'));
    if (kid !== undefined) return fitting.find((k) => k.kid === kid);
    return fitting.length === 1 ? fitting[0] : undefined;
  }

  /** `alg` undefined selects by `kid` alone (the `jwks_uri` Signature-Key scheme names no algorithm). */
  async getKey(issuer: string, document: string, kid: string | undefined, alg?: string): Promise<PublicJwk> {
    return this.getJwksKey(await this.#jwksUri(issuer, document), kid, alg);
  }

  /**
   * `getKey` answered synchronously when the metadata document and the JWKS are both in the
   * fetcher's cache, fresh, valid, and the JWKS has the key: exactly the case in which `getKey`
   * would read nothing but those caches. Anything else (a miss, a document that does not validate,
   * no such key) is left to `getKey`, which fetches, invalidates, refetches or refuses as it does.
   */
  getKeyNow(issuer: string, document: string, kid: string | undefined, alg?: string): PublicJwk | Promise<PublicJwk> {
    const jwksUri = this.#cachedJwksUri(issuer, document);
    const doc = jwksUri === undefined ? undefined : this.#fetcher.cachedJson(jwksUri) as Partial<JwkSet> | null | undefined;
    const key = typeof doc === 'object' && doc !== null && Array.isArray(doc.keys) ? this.#select(usableKeys(doc.keys), kid, alg) : undefined;
    return key ?? this.getKey(issuer, document, kid, alg);
  }

  #cachedJwksUri(issuer: string, document: string): string | undefined {
    const value = this.#fetcher.cachedJson(wellKnownUrl(issuer, document));
    if (value === undefined) return undefined;
    try {
      if (!this.#current) return validateMetadata(document as MetadataDocument, issuer, value).jwks_uri;
      if (!(Object.values(AAUTH_CURRENT.wellKnown) as string[]).includes(document)) return undefined;
      const jwksUri = validateCurrentMetadata(document as CurrentMetadataDocument, issuer, value).jwks_uri;
      return typeof jwksUri === 'string' && URL.canParse(jwksUri) ? jwksUri : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The key with `kid` from a JWKS whose URL is known without a metadata document (an OpenID
   * provider configured with its `jwksUrl`); same selection and refetch rules as `getKey`.
   */
  async getJwksKey(jwksUri: string, kid: string | undefined, alg?: string): Promise<PublicJwk> {
    let key = this.#select(await this.#jwks(jwksUri), kid, alg);
    if (key) return key;
    const last = this.#lastRefetch.get(jwksUri) ?? 0;
    if (Date.now() - last >= this.#cooldownMs) {
      this.#lastRefetch.set(jwksUri, Date.now(), 8);
      this.#fetcher.invalidate(jwksUri);
      key = this.#select(await this.#jwks(jwksUri), kid, alg);
      if (key) return key;
    }
    throw new FetchError('invalid_document', `${jwksUri} has no ${alg ?? 'signing'} key${kid === undefined ? ' (and the token names no kid)' : ` with kid ${JSON.stringify(kid)}`}`, { field: 'kid', reason: 'unknown_key', actual: kid });
  }
}
