package dev.aauth.keycloak.token;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.keycloak.TokenVerifier;
import org.keycloak.common.VerificationException;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.util.UserSessionUtil;

/**
 * Whether this realm's own OIDC access token, presented as a {@code subject_token}, is still live in
 * Keycloak's eyes (docs/auth-server-contract.md, "RFC 8693 token exchange"). A signature and an
 * {@code exp} say only that the token was issued; Keycloak's token introspection and UserInfo
 * endpoints also refuse a token whose client is gone or disabled, that was issued before a realm or
 * client not-before policy, that was revoked (RFC 7009), whose login session has ended (logout,
 * expiry, an admin's removal), or whose user is gone, disabled or has a later not-before. An
 * exchange must not outlive what Keycloak itself would accept, so the same checks run here, in the
 * same order, through Keycloak's own predicates; each refusal is {@code invalid_grant} (RFC 8693
 * §2.2.2) with its own sentence.
 */
public final class RealmAccessTokenLiveness {

    private RealmAccessTokenLiveness() {
    }

    /**
     * @param compact the token, already verified by {@link SubjectTokenVerifier} (signature, issuer = this
     *                realm, {@code typ}, {@code exp})
     * @return the user the live token's session belongs to
     */
    public static UserModel require(KeycloakSession session, RealmModel realm, String compact) {
        AccessToken token;
        try {
            token = new JWSInput(compact).readJsonContent(AccessToken.class);
        } catch (JWSInputException e) {
            throw refuse("The subject token could not be read as an access token of this realm.");
        }
        ClientModel client = token.getIssuedFor() == null ? null : realm.getClientByClientId(token.getIssuedFor());
        if (client == null) {
            throw refuse("The client the subject token was issued to (\"azp\") no longer exists in this realm.");
        }
        if (!client.isEnabled()) {
            throw refuse("The client the subject token was issued to (\"azp\") is disabled.");
        }
        if (!passes(token, TokenManager.NotBeforeCheck.forModel(realm))) {
            throw refuse("The subject token was issued before the realm's not-before time (its tokens were revoked).");
        }
        if (!passes(token, TokenManager.NotBeforeCheck.forModel(client))) {
            throw refuse("The subject token was issued before its client's not-before time (its tokens were revoked).");
        }
        if (!passes(token, new TokenManager.TokenRevocationCheck(session))) {
            throw refuse("The subject token has been revoked.");
        }
        UserSessionUtil.UserSessionValidationResult found =
                UserSessionUtil.findValidSessionForAccessToken(session, realm, token, client, ended -> { });
        UserSessionModel userSession = found.getUserSession();
        if (found.getError() != null || userSession == null) {
            throw refuse("The subject token's login session has ended (logout, expiry or removal).");
        }
        UserModel user = userSession.getUser();
        if (user == null || !user.getId().equals(token.getSubject())) {
            throw refuse("The subject token's user no longer exists in this realm.");
        }
        if (!user.isEnabled()) {
            throw refuse("The subject token's user is disabled.");
        }
        if (!TokenManager.isUserValid(session, realm, token, user)) {
            throw refuse("The subject token was issued before its user's not-before time (the user's tokens were revoked).");
        }
        return user;
    }

    private static boolean passes(AccessToken token, TokenVerifier.Predicate<? super AccessToken> check) {
        try {
            return check.test(token);
        } catch (VerificationException e) {
            return false;
        }
    }

    private static AAuthException refuse(String message) {
        return new AAuthException(AAuthError.INVALID_GRANT, message);
    }
}
