/**
 * The directed `sub` (draft-hardt-oauth-aauth-protocol §Directed Identifiers, §Person Token
 * Structure): one value per (person, resource), the same in every person token and auth token the
 * Person Server issues for that resource, whatever the agent or its key; never the user id.
 *
 *   sub = base64url(HMAC-SHA256(key = UTF-8(salt), message = UTF-8(resource) 0x00 UTF-8(user id)))
 *
 * without padding, where `salt` is the realm attribute `aauth.pairwiseSalt` (like the salt of
 * Keycloak's pairwise subject mapper). Without the salt a resource cannot link its subjects to
 * another resource's, nor to the realm's user ids.
 */
import { createHmac } from 'node:crypto';

export function directedSubject(salt: string, resource: string, userId: string): string {
  return createHmac('sha256', salt).update(resource).update(Buffer.from([0])).update(userId).digest('base64url');
}
