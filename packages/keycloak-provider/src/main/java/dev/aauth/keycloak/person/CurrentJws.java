package dev.aauth.keycloak.person;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aauth.keycloak.keys.Ed25519KeyProviderFactory;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.component.ComponentModel;
import org.keycloak.keys.KeyProvider;
import org.keycloak.common.util.Base64Url;
import org.keycloak.crypto.Algorithm;
import org.keycloak.crypto.KeyStatus;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.util.JsonSerialization;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs the Person Server's {@code aa-person+jwt} and {@code aa-auth+jwt} with the realm's Ed25519 key
 * and the fully specified JWS {@code alg} {@code Ed25519} (RFC 9864; draft-hardt-oauth-aauth-protocol
 * §Signature Algorithms: the polymorphic {@code EdDSA} MUST NOT be used).
 *
 * <p>Key choice: the active key of the realm's {@code aauth-ed25519-generated} provider (its JWKS entry
 * says {@code "alg": "Ed25519"}); a Person Server realm without one gets one on first use (a key
 * provider component named {@code aauth-ed25519}, priority 200, made once even under concurrent first
 * use: {@link #ownComponent}), so the JWKS always offers the key
 * with its fully specified {@code alg}. RS256 and ES256 realm keys are never used by the Person Server
 * (they keep serving OpenID Connect), and neither is an {@code eddsa-generated} key, which Keycloak
 * publishes with the polymorphic {@code "alg": "EdDSA"} that current-profile verifiers never select.
 *
 * <p>Keycloak's {@code JWSBuilder} writes the header {@code alg} from its signer ({@code EdDSA}), so the
 * JWS is assembled here and only the signature bytes come from the key.
 */
public final class CurrentJws {

    /** One lock per realm id while its key provider component is being added. */
    private static final Map<String, Object> CREATING = new ConcurrentHashMap<>();

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
        Optional<KeyWrapper> own = active(session, realm);
        if (own.isPresent()) {
            return own.get();
        }
        Ed25519KeyProviderFactory factory = (Ed25519KeyProviderFactory) session.getKeycloakSessionFactory()
                .getProviderFactory(KeyProvider.class, Ed25519KeyProviderFactory.ID);
        ComponentModel component = ownComponent(session.getKeycloakSessionFactory(), realm.getId(), factory);
        // The realm's key cache may not see the component yet: read its key directly.
        return factory.create(session, component).getKeysStream()
                .filter(k -> k.getStatus() == KeyStatus.ACTIVE && k.getPrivateKey() != null).findFirst()
                .orElseThrow(() -> new IllegalStateException("no Ed25519 key after adding " + Ed25519KeyProviderFactory.ID));
    }

    /**
     * The realm's {@code aauth-ed25519-generated} component, added once however many requests reach first
     * use together. It is added in a transaction of its own, committed before the key is used, under a lock
     * per realm on this node (the second request finds the first one's component); across the nodes of a
     * cluster its id is derived from the realm id, so a second node's insert fails as a duplicate and that
     * node reads the winner's component instead.
     */
    private static ComponentModel ownComponent(KeycloakSessionFactory sessions, String realmId, Ed25519KeyProviderFactory factory) {
        synchronized (CREATING.computeIfAbsent(realmId, k -> new Object())) {
            try {
                return KeycloakModelUtils.runJobInTransactionWithResult(sessions, s -> {
                    RealmModel r = s.realms().getRealm(realmId);
                    ComponentModel existing = existing(r);
                    return existing != null ? existing : r.addComponentModel(newComponent(s, r, factory));
                });
            } catch (RuntimeException duplicate) {
                ComponentModel winner = KeycloakModelUtils.runJobInTransactionWithResult(sessions, s -> existing(s.realms().getRealm(realmId)));
                if (winner == null) {
                    throw duplicate;
                }
                return winner;
            }
        }
    }

    private static ComponentModel existing(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), KeyProvider.class.getName())
                .filter(c -> Ed25519KeyProviderFactory.ID.equals(c.getProviderId())).findFirst().orElse(null);
    }

    private static ComponentModel newComponent(KeycloakSession session, RealmModel realm, Ed25519KeyProviderFactory factory) {
        ComponentModel component = new ComponentModel();
        component.setId(UUID.nameUUIDFromBytes(("aauth-ed25519:" + realm.getId()).getBytes(StandardCharsets.UTF_8)).toString());
        component.setName("aauth-ed25519");
        component.setParentId(realm.getId());
        component.setProviderId(Ed25519KeyProviderFactory.ID);
        component.setProviderType(KeyProvider.class.getName());
        MultivaluedHashMap<String, String> config = new MultivaluedHashMap<>();
        config.putSingle("priority", "200");
        config.putSingle("eddsaEllipticCurveKey", "Ed25519");
        component.setConfig(config);
        // Validation generates the key pair into the configuration (as for eddsa-generated).
        factory.validateConfiguration(session, realm, component);
        return component;
    }

    private static Optional<KeyWrapper> active(KeycloakSession session, RealmModel realm) {
        return session.keys().getKeysStream(realm, KeyUse.SIG, Algorithm.Ed25519)
                .filter(k -> k.getStatus() == KeyStatus.ACTIVE && k.getPrivateKey() != null)
                .max(Comparator.comparingLong(KeyWrapper::getProviderPriority));
    }
}
