package dev.aauth.keycloak.policy;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

import java.util.List;

/**
 * Which user of the realm a presented token names (docs/auth-server-contract.md, "Foreign subjects");
 * the embedded server's {@code policy/subject.ts}. A {@code sub} is unique only within its issuer (OpenID
 * Connect Core §2, §5.7), so a trusted issuer's {@code sub} never names a local user by itself, even when
 * it equals a local user's id: only an explicit link does — the user attribute
 * {@code aauth.federatedSubject} = {@code {issuer} {sub}}, this provider's counterpart of Keycloak's
 * identity-provider links. A user who no longer exists or is disabled is named by no new token.
 */
public final class LocalSubjects {

    /** User attribute: links to subjects of trusted issuers, one {@code {issuer} {sub}} per value. */
    public static final String FEDERATED_SUBJECT = "aauth.federatedSubject";

    private LocalSubjects() {
    }

    /**
     * @param unlinked the error for a foreign subject no user is linked to ({@code invalid_auth_token} at
     *                 the token endpoint, {@code invalid_grant} in token exchange)
     * @return the enabled local user; a deleted or disabled one is {@code access_denied}
     */
    public static UserModel resolve(KeycloakSession session, RealmModel realm, String ownIssuer, String iss, String sub,
                                    AAuthError unlinked, String what) {
        UserModel user;
        if (ownIssuer.equals(iss)) {
            user = session.users().getUserById(realm, sub);
            if (user == null) {
                throw new AAuthException(AAuthError.ACCESS_DENIED, "The " + what + " names a user who is not in this realm.");
            }
        } else {
            List<UserModel> linked = session.users()
                    .searchForUserByUserAttributeStream(realm, FEDERATED_SUBJECT, iss + " " + sub)
                    .limit(2)
                    .toList();
            if (linked.size() != 1) {
                throw new AAuthException(unlinked, "The " + what + "'s subject of issuer " + iss
                        + " is not linked to a user of this realm.");
            }
            user = linked.get(0);
        }
        if (!user.isEnabled()) {
            throw new AAuthException(AAuthError.ACCESS_DENIED, "The " + what + " names a user who is disabled in this realm.");
        }
        return user;
    }
}
