package dev.aauth.keycloak.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aauth.keycloak.signature.PublicJwk;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.SignatureProvider;
import org.keycloak.jose.jws.JWSBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;

import java.util.List;

/**
 * Mints the delegated access token of an RFC 8693 exchange: a JWT access token (RFC 9068,
 * {@code typ: at+jwt}) for the user ({@code sub}), issued to the current actor ({@code client_id}),
 * whose {@code act} names that actor with the earlier ones nested inside (RFC 8693 §4.1), bound to the
 * actor's key by {@code cnf.jwk} (RFC 7800). Signed like the auth tokens, with the realm's active key.
 */
public final class DelegatedTokenIssuer {

    private final KeycloakSession session;
    private final RealmModel realm;

    public DelegatedTokenIssuer(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
    }

    public String issue(String issuer, String audience, String sub, ObjectNode act, PublicJwk cnf, List<String> scopes,
                        long now, long lifetime) {
        ObjectNode claims = JsonSerialization.mapper.createObjectNode();
        claims.put("iss", issuer);
        claims.put("aud", audience);
        claims.put("sub", sub);
        claims.put("client_id", act.get("sub").asText());
        claims.set("act", act);
        claims.putObject("cnf").set("jwk", cnf.publicMembers());
        if (!scopes.isEmpty()) {
            claims.put("scope", String.join(" ", scopes));
        }
        claims.put("iat", now);
        claims.put("exp", now + lifetime);
        claims.put("jti", dev.aauth.keycloak.pending.PendingStore.newId());
        String alg = new AuthTokenIssuer(session, realm).algorithm();
        session.keys().getActiveKey(realm, KeyUse.SIG, alg);
        SignatureProvider provider = session.getProvider(SignatureProvider.class, alg);
        try {
            return new JWSBuilder().type(SubjectTokenVerifier.ACCESS_TOKEN_TYP).jsonContent(claims).sign(provider.signer());
        } catch (Exception e) {
            throw new IllegalStateException("Signing the delegated token failed", e);
        }
    }
}
