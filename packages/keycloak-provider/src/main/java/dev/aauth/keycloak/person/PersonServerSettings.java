package dev.aauth.keycloak.person;

import dev.aauth.keycloak.config.RealmSettings;
import org.keycloak.common.util.Base64Url;
import org.keycloak.models.RealmModel;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Realm attributes of the Person Server (docs/person-server-contract.md "Realm model"; README
 * "Person Server (current draft)"):
 * <ul>
 *   <li>{@code aauth.personServer} = {@code "true"} turns it on (off by default: metadata and every
 *       {@code ps/} endpoint answer 404);</li>
 *   <li>{@code aauth.pairwiseSalt}: the directed-{@code sub} key ({@link DirectedSubject}); made
 *       (256 random bits, base64url) and kept in the realm on first use when absent.</li>
 * </ul>
 * Agent providers and resources are the realm's agent and resource clients; the signature window,
 * pending lifespan, consent scopes and address guards are the realm's {@link RealmSettings}.
 */
public record PersonServerSettings(boolean enabled, RealmSettings realm) {

    public static final String ENABLED = "aauth.personServer";
    public static final String PAIRWISE_SALT = "aauth.pairwiseSalt";
    /** §Person Token Structure and §Auth Token Structure: at most one hour. */
    public static final long TOKEN_LIFESPAN = 3600;

    public static boolean enabled(RealmModel realm) {
        return "true".equals(realm.getAttribute(ENABLED));
    }

    public static PersonServerSettings of(RealmModel realm) {
        return new PersonServerSettings(enabled(realm), RealmSettings.of(realm));
    }

    /** The realm's directed-subject key: the UTF-8 bytes of {@code aauth.pairwiseSalt}, made on first use. */
    public static synchronized byte[] pairwiseSalt(RealmModel realm) {
        String v = realm.getAttribute(PAIRWISE_SALT);
        if (v == null || v.isBlank()) {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            v = Base64Url.encode(b);
            realm.setAttribute(PAIRWISE_SALT, v);
        }
        return v.getBytes(StandardCharsets.UTF_8);
    }
}
