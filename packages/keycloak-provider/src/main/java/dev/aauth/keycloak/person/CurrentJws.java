package dev.aauth.keycloak.person;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keycloak.common.util.Base64Url;
import org.keycloak.crypto.Algorithm;
import org.keycloak.crypto.KeyStatus;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Comparator;
import java.util.Optional;

/**
 * Signs the Person Server's {@code aa-person+jwt} and {@code aa-auth+jwt} with the realm's Ed25519 key
 * and the fully specified JWS {@code alg} {@code Ed25519} (RFC 9864; draft-hardt-oauth-aauth-protocol
 * §Signature Algorithms: the polymorphic {@code EdDSA} MUST NOT be used).
 *
 * <p>Key choice: the active key of the realm's {@code aauth-ed25519-generated} provider (its JWKS entry
 * says {@code "alg": "Ed25519"}), else an active {@code eddsa-generated} key on curve Ed25519 (the
 * JWS still says {@code Ed25519}, but Keycloak publishes that key with {@code "alg": "EdDSA"}), else
 * Keycloak's fallback EdDSA key, made on first use. RS256 and ES256 realm keys are never used by the
 * Person Server (they keep serving OpenID Connect).
 *
 * <p>Keycloak's {@code JWSBuilder} writes the header {@code alg} from its signer ({@code EdDSA}), so the
 * JWS is assembled here and only the signature bytes come from the key.
 */
public final class CurrentJws {

    private CurrentJws() {
    }

    public static String sign(KeycloakSession session, RealmModel realm, String typ, ObjectNode claims) {
        KeyWrapper key = signingKey(session, realm);
        String alg = "Ed448".equals(key.getCurve()) ? Algorithm.Ed448 : Algorithm.Ed25519;
        ObjectNode header = JsonSerialization.mapper.createObjectNode();
        header.put("alg", alg);
        header.put("typ", typ);
        header.put("kid", key.getKid());
        try {
            String input = Base64Url.encode(JsonSerialization.mapper.writeValueAsBytes(header)) + "."
                    + Base64Url.encode(JsonSerialization.mapper.writeValueAsBytes(claims));
            PrivateKey jdkKey = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(((PrivateKey) key.getPrivateKey()).getEncoded()));
            Signature s = Signature.getInstance(alg);
            s.initSign(jdkKey);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64Url.encode(s.sign());
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("signing the " + typ + " failed", e);
        }
    }

    static KeyWrapper signingKey(KeycloakSession session, RealmModel realm) {
        Optional<KeyWrapper> own = active(session, realm, Algorithm.Ed25519);
        if (own.isPresent()) {
            return own.get();
        }
        Optional<KeyWrapper> eddsa = active(session, realm, Algorithm.EdDSA);
        // No EdDSA key at all: Keycloak makes its fallback key (eddsa-generated, Ed25519) on this call.
        return eddsa.orElseGet(() -> session.keys().getActiveKey(realm, KeyUse.SIG, Algorithm.EdDSA));
    }

    private static Optional<KeyWrapper> active(KeycloakSession session, RealmModel realm, String alg) {
        return session.keys().getKeysStream(realm, KeyUse.SIG, alg)
                .filter(k -> k.getStatus() == KeyStatus.ACTIVE && k.getPrivateKey() != null)
                .filter(k -> !Algorithm.EdDSA.equals(alg) || "Ed25519".equals(k.getCurve()))
                .max(Comparator.comparingLong(KeyWrapper::getProviderPriority));
    }
}
