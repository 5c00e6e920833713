/**
 * What a resource publishes: `/.well-known/aauth-resource.json` and its JWKS.
 *
 *  - 2026-03 (§Resource Metadata): `resource`, `jwks_uri`, `client_name`, `scope_descriptions`,
 *    `additional_signature_components`, logos, `resource_token_endpoint`, `interaction_endpoint`.
 *  - current (draft-hardt-oauth-aauth-protocol §Resource Metadata, §Metadata Documents): `issuer`
 *    (equal to the origin the document is fetched from), `jwks_uri`, `name`, `access_mode`,
 *    `scope_descriptions`, `signature_window`, `additional_signature_components`, logos, and the
 *    resource token endpoint as `authorization_endpoint`.
 *  - both: one document with both profiles' members. Each profile names its signer in its own
 *    member (`resource`, `issuer`), so a reader of either profile finds its own document, and the
 *    pair is how the resource says it serves both.
 *
 * The JWKS's keys carry their JWS `alg`; when the current profile is served, the fully specified
 * one (`Ed25519`, not `EdDSA`: §JWKS Discovery and Caching), which 2026-03 verifiers accept too.
 */
import {
  AAUTH_2026_03, AAUTH_CURRENT, publishedComponents, toJwks,
  type CurrentResourceMetadata, type JwkSet, type ResourceMetadata,
} from '@aauth-ts/core';
import type { ResolvedOptions } from './options.js';

/** The document at `/.well-known/aauth-resource.json`, in the profile(s) served. */
export type PublishedMetadata = Partial<ResourceMetadata> & Partial<CurrentResourceMetadata>;

const C = AAUTH_CURRENT.metadata;

function legacyMembers(o: ResolvedOptions, jwksUri: string, components: readonly string[]): ResourceMetadata {
  return {
    resource: o.resource,
    jwks_uri: jwksUri,
    ...(o.clientName === undefined ? {} : { client_name: o.clientName }),
    ...(o.scopeDescriptions === undefined ? {} : { scope_descriptions: { ...o.scopeDescriptions } }),
    // §Covered Components: what this resource requires beyond the draft's four, so agents can sign it up front.
    ...(components.length === 0 ? {} : { [AAUTH_2026_03.signatureComponents.metadataMember]: [...components] }),
    ...(o.logoUri === undefined ? {} : { logo_uri: o.logoUri }),
    ...(o.logoDarkUri === undefined ? {} : { logo_dark_uri: o.logoDarkUri }),
    ...(o.resourceTokenPath === undefined ? {} : { resource_token_endpoint: new URL(o.resourceTokenPath, o.origin).href }),
    ...(o.interactionEndpoint === undefined ? {} : { interaction_endpoint: o.interactionEndpoint }),
  };
}

function currentMembers(o: ResolvedOptions, jwksUri: string, components: readonly string[]): CurrentResourceMetadata {
  return {
    [C.common.issuer]: o.resource,
    [C.common.jwksUri]: jwksUri,
    ...(o.clientName === undefined ? {} : { [C.common.name]: o.clientName }),
    ...(o.accessMode === undefined ? {} : { [C.resource.accessMode]: o.accessMode }),
    ...(o.scopeDescriptions === undefined ? {} : { [C.resource.scopeDescriptions]: { ...o.scopeDescriptions } }),
    [C.resource.signatureWindow]: o.signatureWindow,
    ...(components.length === 0 ? {} : { [C.resource.additionalSignatureComponents]: [...components] }),
    ...(o.logoUri === undefined ? {} : { [C.common.logoUri]: o.logoUri }),
    ...(o.logoDarkUri === undefined ? {} : { [C.common.logoDarkUri]: o.logoDarkUri }),
    ...(o.resourceTokenPath === undefined ? {} : { [C.resource.authorizationEndpoint]: new URL(o.resourceTokenPath, o.origin).href }),
  } as CurrentResourceMetadata;
}

export function resourceMetadata(o: ResolvedOptions): Readonly<PublishedMetadata> {
  const jwksUri = new URL(o.jwksPath, o.origin).href;
  const components = publishedComponents(o.signatureComponents, o.additionalSignatureComponents);
  const legacy = o.profiles.includes('aauth-2026-03') ? legacyMembers(o, jwksUri, components) : {};
  const current = o.profiles.includes('aauth-current') ? currentMembers(o, jwksUri, components) : {};
  return Object.freeze({ ...legacy, ...current });
}

export function resourceJwks(o: ResolvedOptions): JwkSet {
  return toJwks([o.signingKey], o.profiles.includes('aauth-current') ? 'aauth-current' : 'aauth-2026-03');
}
