/**
 * Parse an `AAuth` header: an RFC 8941 dictionary whose `require` member is a token, with the
 * requirement's data as parameters on it (`require=auth-token; resource-token="…"; auth-server="…"`).
 * Unknown parameters are ignored; an unknown `require` value is an `UnsupportedRequirementError`
 * carrying the raw header.
 */
import { parseDictionary, Token, type Parameters } from 'structured-headers';
import { MalformedError, UnsupportedRequirementError } from '../errors.js';
import { PROFILE } from '../profile/index.js';
import type { Challenge } from './types.js';

function param(params: Parameters, name: string, raw: string): string {
  const value = params.get(name);
  if (typeof value !== 'string' || value.length === 0) {
    throw new MalformedError('invalid_request', `AAuth challenge parameter "${name}" is missing or not a string`, raw, { field: name, reason: 'missing' });
  }
  return value;
}

export function parseChallenge(header: string): Challenge {
  const c = PROFILE.challenge;
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(header);
  } catch (cause) {
    throw new MalformedError('invalid_request', 'AAuth header is not an RFC 8941 dictionary', header, { field: 'aauth', reason: 'malformed', cause });
  }
  const member = dict.get(c.requireKey);
  if (member === undefined) throw new MalformedError('invalid_request', `AAuth header has no "${c.requireKey}" member`, header, { field: c.requireKey, reason: 'missing' });
  const [value, params] = member;
  if (!(value instanceof Token)) throw new MalformedError('invalid_request', `AAuth "${c.requireKey}" must be a token`, header, { field: c.requireKey, reason: 'malformed' });
  const require = value.toString();
  switch (require) {
    case 'pseudonym':
    case 'identity':
    case 'approval':
      return { require };
    case 'auth-token':
      return { require, resourceToken: param(params, c.params.resourceToken, header), authServer: param(params, c.params.authServer, header) };
    case 'interaction':
      return { require, code: param(params, c.params.code, header) };
    case 'delegated-token': {
      const scope = params.get(c.params.scope);
      return { require, authServer: param(params, c.params.authServer, header), audience: param(params, c.params.audience, header), scope: typeof scope === 'string' ? scope : '' };
    }
    default:
      throw new UnsupportedRequirementError('invalid_request', `unsupported AAuth requirement "${require}"`, header, { field: c.requireKey, reason: 'unsupported', actual: require });
  }
}
