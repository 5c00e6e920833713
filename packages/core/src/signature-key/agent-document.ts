/**
 * The document a `jwks_uri` Signature-Key names (Signature-Key draft at f22a52e, §JWKS URI
 * Discovery: `{id}/.well-known/{well-known}`). An AAuth agent publishes one, `aauth-agent.json`
 * (2026-03 §Agent Server Metadata); the draft's own example writes it without `.json`. Any other
 * name would have the verifier fetch a document the agent never vouched for as its metadata.
 */
import { SignatureError } from '../errors.js';
import { PROFILE } from '../profile/index.js';
import type { JwksUriSignatureKey } from './types.js';

const AGENT_DOCUMENTS: ReadonlySet<string> = new Set([PROFILE.wellKnown.agent, PROFILE.wellKnown.agent.replace(/\.json$/, '')]);

/** Throws `invalid_signature` unless the key names the agent metadata document (or none). */
export function requireAgentDocument(key: JwksUriSignatureKey): void {
  if (key.wellKnown !== undefined && !AGENT_DOCUMENTS.has(key.wellKnown)) {
    const param = PROFILE.signatureKeyJwksUri.wellKnown;
    throw new SignatureError('invalid_signature', `Signature-Key "${param}" must name ${PROFILE.wellKnown.agent}`, { field: param, reason: 'unsupported', actual: key.wellKnown });
  }
}
