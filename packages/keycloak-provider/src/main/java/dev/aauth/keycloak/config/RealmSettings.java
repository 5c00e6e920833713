package dev.aauth.keycloak.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.x509.X509ChainVerifier;
import org.jboss.logging.Logger;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;

import java.security.cert.TrustAnchor;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Realm attributes that tune AAuth (contract, "Policy from the realm" and the defaults named in the
 * checks). List values are JSON arrays stored as strings, as realm attributes are plain strings.
 * A malformed value falls back to the default and is logged, rather than failing requests.
 */
public record RealmSettings(
        long signatureWindow,
        long refreshWindow,
        long pendingLifespan,
        long maxAuthAge,
        boolean allowLoopback,
        boolean allowPrivateNetwork,
        Set<String> trustedIssuers,
        Set<String> consentScopes,
        long tokenLifespan,
        Set<TrustAnchor> x509TrustAnchors) {

    private static final Logger LOG = Logger.getLogger(RealmSettings.class);

    public static final long DEFAULT_SIGNATURE_WINDOW = 60;
    public static final long DEFAULT_REFRESH_WINDOW = 86400;
    public static final long DEFAULT_PENDING_LIFESPAN = 600;
    /** Keycloak's own default SSO Session Max (10 h): after it, the user must approve again. */
    public static final long DEFAULT_MAX_AUTH_AGE = 36000;

    public static RealmSettings of(RealmModel realm) {
        int lifespan = realm.getAccessTokenLifespan();
        return new RealmSettings(
                seconds(realm, "aauth.signatureWindow", DEFAULT_SIGNATURE_WINDOW),
                seconds(realm, "aauth.refreshWindow", DEFAULT_REFRESH_WINDOW),
                seconds(realm, "aauth.pendingLifespan", DEFAULT_PENDING_LIFESPAN),
                seconds(realm, "aauth.maxAuthAge", DEFAULT_MAX_AUTH_AGE),
                "true".equals(realm.getAttribute("aauth.allowLoopback")),
                "true".equals(realm.getAttribute("aauth.allowPrivateNetwork")),
                list(realm, "aauth.trustedIssuers"),
                list(realm, "aauth.consentScopes"),
                lifespan > 0 ? lifespan : 300,
                anchors(realm, "aauth.x509TrustAnchors"));
    }

    /**
     * Trust anchors of the {@code x509} Signature-Key scheme: PEM text with one or more CERTIFICATE
     * blocks. Absent or malformed (logged) means none, and the scheme is refused.
     */
    private static Set<TrustAnchor> anchors(RealmModel realm, String name) {
        String v = realm.getAttribute(name);
        if (v == null || v.isBlank()) {
            return Set.of();
        }
        try {
            return X509ChainVerifier.parseAnchors(v);
        } catch (Exception e) {
            LOG.warnf("Realm %s attribute %s is not PEM text holding certificates (%s); the x509 scheme stays refused", realm.getName(), name, e.getMessage());
            return Set.of();
        }
    }

    private static long seconds(RealmModel realm, String name, long def) {
        String v = realm.getAttribute(name);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        LOG.warnf("Realm %s attribute %s=%s is not a positive integer; using %d", realm.getName(), name, v, def);
        return def;
    }

    public static Set<String> parseList(String v) {
        if (v == null || v.isBlank()) {
            return Set.of();
        }
        try {
            JsonNode node = JsonSerialization.mapper.readTree(v);
            if (node != null && node.isArray()) {
                Set<String> out = new LinkedHashSet<>();
                for (JsonNode n : node) {
                    if (n.isTextual()) {
                        out.add(n.asText());
                    }
                }
                return Collections.unmodifiableSet(out);
            }
        } catch (Exception e) {
            // fall through
        }
        return null;
    }

    private static Set<String> list(RealmModel realm, String name) {
        Set<String> parsed = parseList(realm.getAttribute(name));
        if (parsed == null) {
            LOG.warnf("Realm %s attribute %s is not a JSON array of strings; ignoring it", realm.getName(), name);
            return Set.of();
        }
        return parsed;
    }
}
