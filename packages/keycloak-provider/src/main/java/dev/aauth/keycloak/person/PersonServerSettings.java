package dev.aauth.keycloak.person;

import dev.aauth.keycloak.config.RealmSettings;
import org.keycloak.common.util.Base64Url;
import org.keycloak.models.RealmModel;

import java.security.SecureRandom;
import java.util.Set;

/**
 * Realm attributes of the Person Server (README "Person Server (current draft)"):
 * <ul>
 *   <li>{@code aauth.personServer} = {@code "true"} turns it on (off by default: metadata and every
 *       {@code ps/} endpoint answer 404);</li>
 *   <li>{@code aauth.personServer.agentProviders}: JSON array of agent-provider issuers whose agents
 *       may use this PS; absent or empty means any provider (fetched through the address guard);</li>
 *   <li>{@code aauth.personServer.missionLifespan} (seconds, default 7 days): {@code expires_at} of
 *       approved missions;</li>
 *   <li>{@code aauth.personServer.subjectSecret}: base64url secret of the directed {@code sub}
 *       ({@link DirectedSubject}); made on first use when absent and kept in the realm.</li>
 * </ul>
 * The signature window, pending lifespan and the loopback/private-network guards are the realm's
 * {@link RealmSettings}.
 */
public record PersonServerSettings(boolean enabled, Set<String> agentProviders, long missionLifespan, RealmSettings realm) {

    public static final String ENABLED = "aauth.personServer";
    public static final String AGENT_PROVIDERS = "aauth.personServer.agentProviders";
    public static final String MISSION_LIFESPAN = "aauth.personServer.missionLifespan";
    public static final String SUBJECT_SECRET = "aauth.personServer.subjectSecret";
    /** §Person Token Structure and §Auth Token Structure: at most one hour. */
    public static final long TOKEN_LIFESPAN = 3600;
    public static final long DEFAULT_MISSION_LIFESPAN = 7 * 86400;

    public static boolean enabled(RealmModel realm) {
        return "true".equals(realm.getAttribute(ENABLED));
    }

    public static PersonServerSettings of(RealmModel realm) {
        Set<String> providers = RealmSettings.parseList(realm.getAttribute(AGENT_PROVIDERS));
        Long mission = parsePositive(realm.getAttribute(MISSION_LIFESPAN));
        return new PersonServerSettings(enabled(realm), providers == null ? Set.of() : providers,
                mission == null ? DEFAULT_MISSION_LIFESPAN : mission, RealmSettings.of(realm));
    }

    /** Whether agents of this provider may use the PS (checked before anything is fetched from it). */
    public boolean acceptsProvider(String iss) {
        return agentProviders.isEmpty() || agentProviders.contains(iss);
    }

    /** The realm's directed-subject secret, made (256 random bits) and stored on first use. */
    public static synchronized byte[] subjectSecret(RealmModel realm) {
        String v = realm.getAttribute(SUBJECT_SECRET);
        if (v == null || v.isBlank()) {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            v = Base64Url.encode(b);
            realm.setAttribute(SUBJECT_SECRET, v);
        }
        return Base64Url.decode(v);
    }

    private static Long parsePositive(String v) {
        try {
            long n = v == null ? -1 : Long.parseLong(v.trim());
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
