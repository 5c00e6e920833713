package dev.aauth.keycloak.config;

import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;

/**
 * Settings an agent client may set for itself, each falling back to the realm's: the auth-token lifetime
 * (Keycloak's own client attribute {@code access.token.lifespan}, "Access Token Lifespan" in the admin
 * console) and the refresh window ({@code aauth.refreshWindow}, the realm attribute's name on the client).
 * A malformed value falls back to the realm's and is logged, as in {@link RealmSettings}.
 */
public final class AgentSettings {

    private static final Logger LOG = Logger.getLogger(AgentSettings.class);

    /** Keycloak's per-client access-token lifespan attribute (seconds). */
    public static final String ACCESS_TOKEN_LIFESPAN = "access.token.lifespan";

    private AgentSettings() {
    }

    /** Lifetime in seconds of the auth tokens issued to {@code agent} (null: an unknown client, the realm's). */
    public static long tokenLifespan(RealmSettings realm, ClientModel agent) {
        return clientSeconds(agent, ACCESS_TOKEN_LIFESPAN, 1, realm.tokenLifespan());
    }

    /** How long after {@code exp} an auth token issued to {@code agent} may still be refreshed, in seconds. */
    public static long refreshWindow(RealmSettings realm, ClientModel agent) {
        return clientSeconds(agent, RealmSettings.REFRESH_WINDOW, 0, realm.refreshWindow());
    }

    private static long clientSeconds(ClientModel client, String name, long min, long def) {
        if (client == null) {
            return def;
        }
        String v = client.getAttribute(name);
        Long n = RealmSettings.parseSeconds(v, min);
        if (n != null) {
            return n;
        }
        if (v != null && !v.isBlank()) {
            LOG.warnf("Client %s attribute %s=%s is not an integer of at least %d; using the realm's %d", client.getClientId(), name, v, min, def);
        }
        return def;
    }
}
