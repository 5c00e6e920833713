package dev.aauth.keycloak.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.policy.ChainLimits;
import dev.aauth.keycloak.signature.SignatureComponents;
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
        boolean earlyRefresh,
        long pendingLifespan,
        long maxPollWait,
        int maxHeldPolls,
        long maxAuthAge,
        boolean allowLoopback,
        boolean allowPrivateNetwork,
        Set<String> trustedIssuers,
        Set<String> consentScopes,
        long tokenLifespan,
        SignatureComponents signatureComponents,
        Set<TrustAnchor> x509TrustAnchors,
        ChainLimits chainLimits) {

    private static final Logger LOG = Logger.getLogger(RealmSettings.class);

    public static final long DEFAULT_SIGNATURE_WINDOW = 60;
    /** Seconds after {@code exp} an auth token may still be refreshed; also settable on an agent client ({@link AgentSettings}). */
    public static final String REFRESH_WINDOW = "aauth.refreshWindow";
    public static final long DEFAULT_REFRESH_WINDOW = 86400;
    public static final long DEFAULT_PENDING_LIFESPAN = 600;
    /** Longest a poll is held for {@code Prefer: wait} (RFC 7240 §4.3); each held poll is a worker thread. */
    public static final long DEFAULT_MAX_POLL_WAIT = 5;
    /** Upper bound of {@code aauth.maxPollWait}. */
    public static final long MAX_POLL_WAIT_CEILING = 30;
    /** Polls held at once per realm (per Keycloak node); beyond it a poll is answered at once. */
    public static final long DEFAULT_MAX_HELD_POLLS = 16;
    /** Keycloak's own default SSO Session Max (10 h): after it, the user must approve again. */
    public static final long DEFAULT_MAX_AUTH_AGE = 36000;

    public static RealmSettings of(RealmModel realm) {
        int lifespan = realm.getAccessTokenLifespan();
        return new RealmSettings(
                seconds(realm, "aauth.signatureWindow", DEFAULT_SIGNATURE_WINDOW),
                seconds(realm, REFRESH_WINDOW, DEFAULT_REFRESH_WINDOW, 0),
                !"false".equals(realm.getAttribute("aauth.earlyRefresh")),
                seconds(realm, "aauth.pendingLifespan", DEFAULT_PENDING_LIFESPAN),
                Math.min(seconds(realm, "aauth.maxPollWait", DEFAULT_MAX_POLL_WAIT), MAX_POLL_WAIT_CEILING),
                (int) Math.min(seconds(realm, "aauth.maxHeldPolls", DEFAULT_MAX_HELD_POLLS), 1024),
                seconds(realm, "aauth.maxAuthAge", DEFAULT_MAX_AUTH_AGE),
                "true".equals(realm.getAttribute("aauth.allowLoopback")),
                "true".equals(realm.getAttribute("aauth.allowPrivateNetwork")),
                list(realm, "aauth.trustedIssuers"),
                list(realm, "aauth.consentScopes"),
                lifespan > 0 ? lifespan : 300,
                signatureComponents(realm),
                anchors(realm, "aauth.x509TrustAnchors"),
                chainLimits(realm));
    }

    /**
     * {@code aauth.maxChainDepth} (1 to 15, default 15) and {@code aauth.chainActors} (absent = any agent).
     * These limit who may act for a user, so a malformed value is logged and fails closed: depth 1 (no
     * earlier actor), or no admitted actor.
     */
    private static ChainLimits chainLimits(RealmModel realm) {
        int depth = ChainLimits.DEFAULT_MAX_DEPTH;
        String d = realm.getAttribute(ChainLimits.MAX_DEPTH_ATTRIBUTE);
        if (d != null && !d.isBlank()) {
            Long n = parseSeconds(d, 1);
            if (n == null || n > ChainLimits.DEFAULT_MAX_DEPTH) {
                LOG.warnf("Realm %s attribute %s=%s is not an integer from 1 to %d; using 1", realm.getName(),
                        ChainLimits.MAX_DEPTH_ATTRIBUTE, d, ChainLimits.DEFAULT_MAX_DEPTH);
                depth = 1;
            } else {
                depth = n.intValue();
            }
        }
        Set<String> actors = null;
        String a = realm.getAttribute(ChainLimits.ACTORS_ATTRIBUTE);
        if (a != null) {
            actors = parseList(a);
            if (actors == null) {
                LOG.warnf("Realm %s attribute %s is not a JSON array of strings; no agent may appear in a chain",
                        realm.getName(), ChainLimits.ACTORS_ATTRIBUTE);
                actors = Set.of();
            }
        }
        return new ChainLimits(depth, actors);
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

    /** An unknown value keeps the strict default (and is logged): a typo must not loosen verification. */
    private static SignatureComponents signatureComponents(RealmModel realm) {
        String v = realm.getAttribute(SignatureComponents.REALM_ATTRIBUTE);
        SignatureComponents p = SignatureComponents.fromAttribute(v);
        if (p == null) {
            LOG.warnf("Realm %s attribute %s=%s is not strict or draft-minimum; using strict", realm.getName(), SignatureComponents.REALM_ATTRIBUTE, v);
            return SignatureComponents.STRICT;
        }
        return p;
    }

    private static long seconds(RealmModel realm, String name, long def) {
        return seconds(realm, name, def, 1);
    }

    private static long seconds(RealmModel realm, String name, long def, long min) {
        String v = realm.getAttribute(name);
        Long n = parseSeconds(v, min);
        if (n != null) {
            return n;
        }
        if (v != null && !v.isBlank()) {
            LOG.warnf("Realm %s attribute %s=%s is not an integer of at least %d; using %d", realm.getName(), name, v, min, def);
        }
        return def;
    }

    /** Integer seconds of at least {@code min}, or null when absent, blank or malformed. */
    static Long parseSeconds(String v, long min) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            long n = Long.parseLong(v.trim());
            return n >= min ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
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
