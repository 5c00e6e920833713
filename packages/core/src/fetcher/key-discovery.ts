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
import { validateMetadata } from '../metadata/validate.js';
import type { AgentMetadata, IssuerMetadata, MetadataDocument, ResourceMetadata } from '../metadata/types.js';
import type { IssuerKeySource } from '../tokens/types.js';
import type { GuardedFetcher } from './guarded-fetcher.js';

export interface KeyDiscoveryOptions {
  /** Minimum time between two refetches of one JWKS for an unknown `kid`, ms (default 30 s). */
  readonly refetchCooldownMs?: number;
  /** Most JWKS URLs whose last refetch is remembered (default 1000; the oldest is forgotten first). */
  readonly refetchEntries?: number;
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

export class KeyDiscovery implements IssuerKeySource {
  readonly #fetcher: GuardedFetcher;
  readonly #cooldownMs: number;
  readonly #lastRefetch: BoundedCache<number>;

  constructor(fetcher: GuardedFetcher, options: KeyDiscoveryOptions = {}) {
    this.#fetcher = fetcher;
    this.#cooldownMs = options.refetchCooldownMs ?? 30_000;
    const entries = options.refetchEntries ?? 1000;
    this.#lastRefetch = new BoundedCache({ maxEntries: entries, maxBytes: entries * 1024 });
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

  async #jwks(jwksUri: string): Promise<PublicJwk[]> {
    const doc = (await this.#fetcher.getJson(jwksUri)) as Partial<JwkSet> | null;
    if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.keys)) {
      this.#fetcher.invalidate(jwksUri);
      throw new FetchError('invalid_document', `${jwksUri} is not a JWK set`);
    }
    // Ignore members that are not objects; select by `kid` without requiring the rest to be usable.
    return doc.keys.filter((k): k is PublicJwk => typeof k === 'object' && k !== null && typeof (k as PublicJwk).kty === 'string');
  }

  static #select(keys: PublicJwk[], kid: string | undefined, alg: string | undefined): PublicJwk | undefined {
    const fitting = keys.filter((k) => (alg === undefined || keyFitsAlg(k, alg)) && (k.use === undefined || k.use === 'sig'));
    if (kid !== undefined) return fitting.find((k) => k.kid === kid);
    return fitting.length === 1 ? fitting[0] : undefined;
  }

  /** `alg` undefined selects by `kid` alone (the `jwks_uri` Signature-Key scheme names no algorithm). */
  async getKey(issuer: string, document: string, kid: string | undefined, alg?: string): Promise<PublicJwk> {
    const metadata = await this.metadata(issuer, document as MetadataDocument);
    const jwksUri = metadata.jwks_uri;
    let key = KeyDiscovery.#select(await this.#jwks(jwksUri), kid, alg);
    if (key) return key;
    const last = this.#lastRefetch.get(jwksUri) ?? 0;
    if (Date.now() - last >= this.#cooldownMs) {
      this.#lastRefetch.set(jwksUri, Date.now(), 8);
      this.#fetcher.invalidate(jwksUri);
      key = KeyDiscovery.#select(await this.#jwks(jwksUri), kid, alg);
      if (key) return key;
    }
    throw new FetchError('invalid_document', `${jwksUri} has no ${alg ?? 'signing'} key${kid === undefined ? ' (and the token names no kid)' : ` with kid ${JSON.stringify(kid)}`}`, { field: 'kid', reason: 'unknown_key', actual: kid });
  }
}
