/** Build an `AAuth` header value (wire notes §3.3). */
import { serializeDictionary, Token, type BareItem } from 'structured-headers';
import { PROFILE } from '../profile/index.js';
import type { Challenge } from './types.js';

export function serializeChallenge(challenge: Challenge): string {
  const c = PROFILE.challenge;
  const params = new Map<string, BareItem>();
  if (challenge.require === 'auth-token') {
    params.set(c.params.resourceToken, challenge.resourceToken);
    params.set(c.params.authServer, challenge.authServer);
  } else if (challenge.require === 'interaction') {
    params.set(c.params.code, challenge.code);
  } else if (challenge.require === 'delegated-token') {
    params.set(c.params.authServer, challenge.authServer);
    params.set(c.params.audience, challenge.audience);
    params.set(c.params.scope, challenge.scope);
  }
  return serializeDictionary(new Map([[c.requireKey, [new Token(challenge.require), params]]]));
}
