/**
 * Which local user a presented token names (auth-server contract, "Foreign subjects"). A `sub` is
 * unique only within its issuer (OpenID Connect Core §2, §5.7: the pair `iss` + `sub` identifies a
 * user), so a trusted issuer's `sub` never names a user of this realm by itself, even when it
 * equals a local user's id: only an explicit link does — the user attribute
 * `aauth.federatedSubject` = `{issuer} {sub}`, the counterpart of Keycloak's identity-provider
 * links. A user who no longer exists or is disabled is named by no new token.
 */
import type { RealmModel, RealmUser } from '../realm/types.js';

export type SubjectVerdict =
  | { readonly outcome: 'user'; readonly user: RealmUser }
  /** A foreign subject with no link to a local user: the token names nobody this realm knows. */
  | { readonly outcome: 'unlinked'; readonly reason: string }
  /** A user this realm knows but no longer lets tokens name (deleted or disabled): `access_denied`. */
  | { readonly outcome: 'refuse'; readonly reason: string };

/** The link key of a foreign subject, as written in `aauth.federatedSubject`. */
export function federatedSubjectKey(iss: string, sub: string): string {
  return `${iss} ${sub}`;
}

export function resolveSubject(realm: RealmModel, ownIssuer: string, iss: string, sub: string): SubjectVerdict {
  let user: RealmUser | undefined;
  if (iss === ownIssuer) {
    user = realm.usersById.get(sub);
    if (!user) return { outcome: 'refuse', reason: `user ${sub} is not a user of realm ${realm.name}` };
  } else {
    user = realm.federatedSubjects.get(federatedSubjectKey(iss, sub));
    if (!user) return { outcome: 'unlinked', reason: `subject ${JSON.stringify(sub)} of issuer ${iss} is not linked to a user of realm ${realm.name}` };
  }
  if (!user.enabled) return { outcome: 'refuse', reason: `user ${user.id} is disabled in realm ${realm.name}` };
  return { outcome: 'user', user };
}
