/**
 * The expected current-profile cells against PyPI `aauth` (newest pinned release): every cell not
 * listed is green; each red cell has the verifier's message as a pattern and the deviation behind it.
 * Keys are `direction token token-type` (tokens) and `direction carrier request` (signatures).
 */
import type { KnownRed } from './table.js';
import { CARRIERS, REALM_ISSUER_PERSON, UPPER_CASE_AGENT } from './python-aauth-current.js';

const BASE64_REFUSED: KnownRed = {
  reason: /Invalid Signature format/,
  why: 'it reads (and writes) Signature as unpadded base64url; RFC 9421 §4.2 makes it an RFC 8941 byte sequence, base64',
};

export const EXPECTED_TOKENS: Readonly<Record<string, KnownRed>> = {
  [`py→core token ${UPPER_CASE_AGENT}`]: {
    reason: /agent token "sub" "aauth:Py-Agent@py-agent\.example" is not an agent identifier/,
    why: 'it issues agent identifiers with upper-case letters; §Agent Identifiers allows a-z 0-9 - _ + . only',
  },
  [`core→py token ${REALM_ISSUER_PERSON}`]: {
    reason: /Invalid server identifier \(Server identifier must not contain a path/,
    why: 'ours: our Person Server\'s issuer is {origin}/realms/{realm}; §Server Identifiers allows no path, as the library enforces',
  },
};

export const EXPECTED_SIGNATURES: Readonly<Record<string, KnownRed>> = Object.fromEntries(
  CARRIERS.flatMap((carrier) => (['GET', 'GET ?query', 'POST json'] as const).map((request) => [`ours→py ${carrier} ${request}`, BASE64_REFUSED])),
);
