/**
 * Structural checks of fetched metadata. The identifier member must equal the identifier it was
 * fetched for (RFC 8414 §3.3 style defence against a host serving another party's document).
 */
import { FetchError } from '../errors.js';
import { AAUTH_CURRENT, PROFILE, type CurrentMetadataDocument } from '../profile/index.js';
import type { AccessServerMetadata, AgentMetadata, CurrentAgentMetadata, CurrentMetadata, CurrentResourceMetadata, IssuerMetadata, MetadataDocument, PersonServerMetadata, ResourceMetadata } from './types.js';

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

/** §Endpoint URLs: these members carry neither query nor fragment. */
const ENDPOINT_MEMBERS = ['auth_token_endpoint', 'person_token_endpoint', 'authorization_endpoint', 'mission_endpoint', 'callback_endpoint'] as const;

/**
 * draft-hardt-oauth-aauth-protocol §Metadata Documents: `issuer` present (else `issuer_missing`)
 * and byte-equal to the identifier the document was fetched for (else `issuer_mismatch`); the
 * role's required members (§Agent Provider / Person Server / Access Server / Resource Metadata)
 * are URLs; endpoint URLs carry no query or fragment (§Endpoint URLs).
 */
export function validateCurrentMetadata(document: 'aauth-agent.json', identifier: string, json: unknown): CurrentAgentMetadata;
export function validateCurrentMetadata(document: 'aauth-person.json', identifier: string, json: unknown): PersonServerMetadata;
export function validateCurrentMetadata(document: 'aauth-access.json', identifier: string, json: unknown): AccessServerMetadata;
export function validateCurrentMetadata(document: 'aauth-resource.json', identifier: string, json: unknown): CurrentResourceMetadata;
export function validateCurrentMetadata(document: CurrentMetadataDocument, identifier: string, json: unknown): CurrentMetadata;
export function validateCurrentMetadata(document: CurrentMetadataDocument, identifier: string, json: unknown): CurrentMetadata {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FetchError('invalid_document', `${document} of ${identifier} is not a JSON object`);
  }
  const doc = json as Record<string, unknown>;
  const issuerMember = AAUTH_CURRENT.metadata.common.issuer;
  if (doc[issuerMember] === undefined) {
    throw new FetchError('invalid_document', `${document} of ${identifier} has no "${issuerMember}"`, { field: issuerMember, reason: 'issuer_missing' });
  }
  if (doc[issuerMember] !== identifier) {
    throw new FetchError('invalid_document', `${document} "${issuerMember}" is ${JSON.stringify(doc[issuerMember])}, expected ${identifier}`, { field: issuerMember, reason: 'issuer_mismatch', expected: identifier, actual: doc[issuerMember] });
  }
  const required: readonly string[] = AAUTH_CURRENT.metadata.required[document] ?? [];
  for (const name of required) {
    if (name === issuerMember) continue;
    const value = doc[name];
    if (typeof value !== 'string' || !URL.canParse(value)) {
      throw new FetchError('invalid_document', `${document} of ${identifier} has no valid "${name}"`, { field: name });
    }
  }
  for (const name of ENDPOINT_MEMBERS) {
    const value = doc[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !URL.canParse(value) || new URL(value).search !== '' || new URL(value).hash !== '' || value.includes('#')) {
      throw new FetchError('invalid_document', `${document} of ${identifier}: "${name}" is not an endpoint URL without query or fragment`, { field: name });
    }
  }
  return doc as unknown as CurrentMetadata;
}
