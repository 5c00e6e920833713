package dev.aauth.keycloak.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aauth.keycloak.signature.PublicJwk;
import org.keycloak.crypto.Algorithm;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.SignatureProvider;
import org.keycloak.jose.jws.JWSBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;

import java.util.List;

/**
 * Mints {@code auth+jwt} tokens with the realm's active signing key (draft-hardt-aauth c465b2d
 * §Auth Token; contract "Issued auth token"). Keycloak's TokenManager forces its own {@code typ}, so the
 * JWS is built directly with {@link JWSBuilder} over the realm's {@link SignatureProvider}.
 * Claims: iss, aud, agent, cnf.jwk (public members), sub when known and then auth_time, scope when any,
 * iat, exp, jti, txn when the resource token had one. Never {@code act}.
 */
public final class AuthTokenIssuer {

    private final KeycloakSession session;
    private final RealmModel realm;

    public AuthTokenIssuer(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
    }

    public record Issued(String token, long expiresIn) {
    }

    /** The realm's default signature algorithm, else RS256 (Keycloak's own default). */
    public String algorithm() {
        String alg = realm.getDefaultSignatureAlgorithm();
        return alg == null || alg.isBlank() ? Algorithm.RS256 : alg;
    }

    /**
     * @param authTime when the user named by {@code sub} approved, carried unchanged through refresh and
     *                 call chaining so that {@code aauth.maxAuthAge} bounds every token derived from it
     */
    public Issued issue(String issuer, String audience, String agentId, PublicJwk cnf, String sub, Long authTime,
                        List<String> scopes, String txn, long now, long lifespan) {
        ObjectNode claims = JsonSerialization.mapper.createObjectNode();
        claims.put("iss", issuer);
        claims.put("aud", audience);
        claims.put("agent", agentId);
        claims.putObject("cnf").set("jwk", cnf.publicMembers());
        if (sub != null) {
            claims.put("sub", sub);
            if (authTime != null) {
                claims.put("auth_time", authTime);
            }
        }
        if (!scopes.isEmpty()) {
            claims.put("scope", String.join(" ", scopes));
        }
        claims.put("iat", now);
        claims.put("exp", now + lifespan);
        claims.put("jti", dev.aauth.keycloak.pending.PendingStore.newId());
        if (txn != null) {
            claims.put("txn", txn);
        }
        String alg = algorithm();
        // Makes sure a key exists for the algorithm (Keycloak creates a fallback key otherwise).
        session.keys().getActiveKey(realm, KeyUse.SIG, alg);
        SignatureProvider provider = session.getProvider(SignatureProvider.class, alg);
        try {
            String token = new JWSBuilder().type("auth+jwt").jsonContent(claims).sign(provider.signer());
            return new Issued(token, lifespan);
        } catch (Exception e) {
            throw new IllegalStateException("Signing the auth token failed", e);
        }
    }
}
