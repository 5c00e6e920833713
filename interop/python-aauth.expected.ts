/**
 * The expected PyPI `aauth` matrix, per pinned release: every cell not listed here is green; each
 * red cell has the verifier's (or signer's) message as a pattern and the deviation behind it.
 */
import type { KnownRed } from './table.js';

const DEFAULT_PORT: KnownRed = { reason: /HTTP message signature does not verify/, why: 'it keeps ":443" in @authority; RFC 9421 §2.2.3 omits the default port' };
const OLD_SK_PARSER: KnownRed = { reason: /Invalid Signature-Key format/, why: 'its parser reads only its own parenthesised Signature-Key form, not RFC 8941' };
const LATER_AGENT_TOKEN: KnownRed = { reason: /typ" must be "agent\+jwt", got "aa-agent\+jwt"/, why: 'its agent tokens are typ aa-agent+jwt (a later draft); the 2026-03 profile is agent+jwt' };
const NO_LOOPBACK_ISSUER: KnownRed = { reason: /Python could not sign: Invalid server identifier/, why: 'it issues agent tokens only for https issuers, so no loopback agent server can vouch' };
const HWK_ALG_REQUIRED: KnownRed = { reason: /Missing or unsupported fully-specified alg/, why: 'it requires alg in hwk (later Signature-Key drafts); SK-04 (2026-03) forbids it' };
const NO_DWK: KnownRed = { reason: /JWT missing issuer or dwk/, why: 'it requires a dwk claim in the agent token (a later draft)' };
const BASE64_REFUSED: KnownRed = { reason: /Invalid Signature format/, why: 'its parser refuses RFC 8941 base64 (it reads only unpadded base64url)' };

export const EXPECTED: Readonly<Record<string, Readonly<Record<string, KnownRed>>>> = {
  'py-aauth-0.1.1': {
    'py→core hwk GET :443': DEFAULT_PORT,
    'py→core jwt GET :443': DEFAULT_PORT,
    'ours→py hwk GET': OLD_SK_PARSER,
    'ours→py hwk GET ?query': OLD_SK_PARSER,
    'ours→py hwk POST json': OLD_SK_PARSER,
    'ours→py hwk GET hwk+alg': OLD_SK_PARSER,
    'ours→py jwt GET': OLD_SK_PARSER,
    'ours→py jwt GET ?query': OLD_SK_PARSER,
    'ours→py jwt POST json': OLD_SK_PARSER,
  },
  'py-aauth-0.5.0': {
    'py→core hwk GET :443': DEFAULT_PORT,
    'py→core jwt GET': LATER_AGENT_TOKEN,
    'py→core jwt GET ?query': LATER_AGENT_TOKEN,
    'py→core jwt POST json': LATER_AGENT_TOKEN,
    'py→core jwt GET :443': LATER_AGENT_TOKEN,
    'py→express jwt GET': NO_LOOPBACK_ISSUER,
    'py→express jwt GET ?query': NO_LOOPBACK_ISSUER,
    'py→express jwt POST json': NO_LOOPBACK_ISSUER,
    'ours→py hwk GET': HWK_ALG_REQUIRED,
    'ours→py hwk GET ?query': HWK_ALG_REQUIRED,
    'ours→py hwk POST json': HWK_ALG_REQUIRED,
    'ours→py hwk GET hwk+alg': BASE64_REFUSED,
    'ours→py jwt GET': NO_DWK,
    'ours→py jwt GET ?query': NO_DWK,
    'ours→py jwt POST json': NO_DWK,
  },
};
