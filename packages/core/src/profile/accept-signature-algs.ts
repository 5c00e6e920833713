/**
 * The fully specified algorithms a request-signing key may carry in the current profile
 * (draft-hardt-oauth-aauth-protocol §Signature Algorithms): what `Accept-Signature-Alg` and
 * `accept_signature_algs` list and what the RFC 9421 verifier accepts. Data, not code:
 * packages/core/data/accept-signature-algs.json, which the Keycloak provider reads too, so the two
 * servers can never advertise different lists. (The JWS algorithms of tokens are
 * `AAUTH_CURRENT.algorithms`: a token may be signed with PS256, which RFC 9421 has no algorithm for.)
 */
import { readFileSync } from 'node:fs';

const FILE = new URL('../../data/accept-signature-algs.json', import.meta.url);

function load(): readonly string[] {
  const parsed = JSON.parse(readFileSync(FILE, 'utf8')) as { algorithms?: unknown };
  const list = parsed.algorithms;
  if (!Array.isArray(list) || list.length === 0 || !list.every((a): a is string => typeof a === 'string' && a.length > 0)) {
    throw new Error('accept-signature-algs.json: "algorithms" must be a non-empty array of strings');
  }
  return Object.freeze([...list]);
}

export const ACCEPT_SIGNATURE_ALGS: readonly string[] = load();
