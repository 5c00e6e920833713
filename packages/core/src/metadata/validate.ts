/**
 * Structural checks of fetched metadata. The identifier member must equal the identifier it was
 * fetched for (RFC 8414 §3.3 style defence against a host serving another party's document).
 */
import { FetchError } from '../errors.js';
import { PROFILE } from '../profile/index.js';
import type { AgentMetadata, IssuerMetadata, MetadataDocument, ResourceMetadata } from './types.js';

const IDENTIFIER_MEMBER: Record<MetadataDocument, string> = {
  [PROFILE.wellKnown.agent]: 'agent',
  [PROFILE.wellKnown.resource]: 'resource',
  [PROFILE.wellKnown.issuer]: 'issuer',
};
const REQUIRED_URLS: Record<MetadataDocument, readonly string[]> = {
  [PROFILE.wellKnown.agent]: ['jwks_uri'],
  [PROFILE.wellKnown.resource]: ['jwks_uri'],
  [PROFILE.wellKnown.issuer]: ['jwks_uri', 'token_endpoint', 'interaction_endpoint'],
};

export function validateMetadata(document: 'aauth-agent.json', identifier: string, json: unknown): AgentMetadata;
export function validateMetadata(document: 'aauth-resource.json', identifier: string, json: unknown): ResourceMetadata;
export function validateMetadata(document: 'aauth-issuer.json', identifier: string, json: unknown): IssuerMetadata;
export function validateMetadata(document: MetadataDocument, identifier: string, json: unknown): AgentMetadata | ResourceMetadata | IssuerMetadata;
export function validateMetadata(document: MetadataDocument, identifier: string, json: unknown): AgentMetadata | ResourceMetadata | IssuerMetadata {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FetchError('invalid_document', `${document} of ${identifier} is not a JSON object`);
  }
  const doc = json as Record<string, unknown>;
  const member = IDENTIFIER_MEMBER[document];
  if (doc[member] !== identifier) {
    throw new FetchError('invalid_document', `${document} "${member}" is ${JSON.stringify(doc[member])}, expected ${identifier}`, { field: member, expected: identifier, actual: doc[member] });
  }
  for (const name of REQUIRED_URLS[document]) {
    const value = doc[name];
    if (typeof value !== 'string' || !URL.canParse(value)) {
      throw new FetchError('invalid_document', `${document} of ${identifier} has no valid "${name}"`, { field: name });
    }
  }
  return doc as unknown as AgentMetadata | ResourceMetadata | IssuerMetadata;
}
