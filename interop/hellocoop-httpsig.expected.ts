/**
 * The expected `@hellocoop/httpsig` matrix: every cell not listed here is green; each red cell has
 * the verifier's message as a pattern and the deviation behind it.
 */
import type { KnownRed } from './table.js';

const NO_QUERY: KnownRed = { reason: /the signature must cover "@query"/, why: 'its default GET components omit @query; we require @query whenever there is a query' };
const QUERY_SANS_MARK: KnownRed = { reason: /HTTP message signature does not verify/, why: 'its @query drops the leading "?" (RFC 9421 §2.2.7 keeps it): another signature base' };
const QUERY_SANS_MARK_THEIRS: KnownRed = { reason: /verified: false/, why: QUERY_SANS_MARK.why };
const HWK_ALG: KnownRed = { reason: /hwk scheme missing alg/, why: 'SK-08 takes the algorithm from hwk alg; SK-04 (2026-03) forbids it, we write it with hwkAlg' };
const DWK_ONLY: KnownRed = { reason: /jwks_uri scheme missing required id\/dwk\/kid/, why: 'it reads only dwk (a later draft); SK at f22a52e names the parameter well-known, as we write it' };

const each = (directions: readonly string[], schemes: readonly string[], request: string, red: KnownRed): [string, KnownRed][] =>
  directions.flatMap((d) => schemes.map((s) => [`${d} ${s} ${request}`, red] as [string, KnownRed]));
const SCHEMES = ['hwk', 'jwt', 'jwks_uri'];
const THEY_SIGN = ['httpsig→core', 'httpsig→express'];

export const EXPECTED: Readonly<Record<string, KnownRed>> = Object.fromEntries([
  ...each(THEY_SIGN, SCHEMES, 'GET ?query', NO_QUERY),
  ...each(THEY_SIGN, SCHEMES, 'GET ?query +@query', QUERY_SANS_MARK),
  ...each(['ours→httpsig'], ['hwk', 'jwt'], 'GET ?query', QUERY_SANS_MARK_THEIRS),
  ['ours→httpsig hwk GET hwk without alg', HWK_ALG],
  ...each(['ours→httpsig'], ['jwks_uri'], 'GET', DWK_ONLY),
  ...each(['ours→httpsig'], ['jwks_uri'], 'GET ?query', DWK_ONLY),
  ...each(['ours→httpsig'], ['jwks_uri'], 'POST json', DWK_ONLY),
  ...each(['ours→httpsig'], ['jwks_uri'], 'GET ?query, "?" kept', DWK_ONLY),
]);
