package dev.aauth.keycloak.pending;

import org.keycloak.common.util.Base64Url;
import org.keycloak.models.SingleUseObjectProvider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * Pending token requests, interaction codes, consent form tokens and resource-token {@code jti}s in
 * Keycloak's single-use object store (draft-hardt-aauth c465b2d §Token Endpoint "202 Accepted";
 * contract "Responses" and check 3).
 *
 * <p>Keys are namespaced with {@code aauth:} and attacker-chosen values are hashed, because the store is
 * one flat map shared with other Keycloak features. A record is updated by putting it again with its
 * remaining lifespan ({@code replace} keeps no lifespan), and a terminal state is delivered exactly once
 * by {@code remove}, which is atomic.
 */
public final class PendingStore {

    public static final String STATUS = "status";
    public static final String PENDING = "pending";
    public static final String INTERACTING = "interacting";
    public static final String APPROVED = "approved";
    public static final String DENIED = "denied";
    public static final String EXPIRES_AT = "expires_at";

    /** Kept past expiry so a late poll still gets one 408 before the URL answers 404. */
    public static final long GRACE_SECONDS = 120;

    private static final String PENDING_PREFIX = "aauth:pending:";
    private static final String CODE_PREFIX = "aauth:ic:";
    private static final String CONSENT_PREFIX = "aauth:consent:";
    private static final String JTI_PREFIX = "aauth:rt-jti:";
    private static final String CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SingleUseObjectProvider store;

    public PendingStore(SingleUseObjectProvider store) {
        this.store = store;
    }

    /** An unguessable URL-safe id (256 bits). */
    public static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64Url.encode(b);
    }

    /** Contract: 8 characters from A-Z0-9 (RFC 3986 unreserved, no separators). */
    public static String newCode() {
        StringBuilder sb = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            sb.append(CODE_ALPHABET.charAt(RANDOM.nextInt(CODE_ALPHABET.length())));
        }
        return sb.toString();
    }

    /** Stores a new pending request and its interaction code; returns the pending id. */
    public String create(Map<String, String> notes, String code, long now, long lifespan) {
        String id = newId();
        Map<String, String> n = new HashMap<>(notes);
        n.put(STATUS, PENDING);
        n.put(EXPIRES_AT, Long.toString(now + lifespan));
        store.put(PENDING_PREFIX + id, lifespan + GRACE_SECONDS, n);
        store.put(CODE_PREFIX + code, lifespan, Map.of("pending", id));
        return id;
    }

    public Map<String, String> get(String id) {
        return valid(id) ? store.get(PENDING_PREFIX + id) : null;
    }

    /** Re-puts the record with its remaining lifespan. */
    public void update(String id, Map<String, String> notes, long now) {
        long expiresAt = Long.parseLong(notes.get(EXPIRES_AT));
        long remaining = Math.max(1, expiresAt + GRACE_SECONDS - now);
        store.put(PENDING_PREFIX + id, remaining, new HashMap<>(notes));
    }

    /** Takes the record for a terminal answer; null when another request already took it. */
    public Map<String, String> take(String id) {
        return valid(id) ? store.remove(PENDING_PREFIX + id) : null;
    }

    /** Redeems an interaction code (single use); returns the pending id or null. */
    public String redeemCode(String code) {
        if (code == null || !code.matches("[A-Z0-9]{8}")) {
            return null;
        }
        Map<String, String> n = store.remove(CODE_PREFIX + code);
        return n == null ? null : n.get("pending");
    }

    /** A one-time token for the consent form, bound to the pending request and the user. */
    public String newConsentToken(String pendingId, String userId, String userSessionId, long lifespan) {
        String token = newId();
        store.put(CONSENT_PREFIX + token, Math.max(1, lifespan), Map.of("pending", pendingId, "user", userId, "user_session", userSessionId));
        return token;
    }

    public Map<String, String> redeemConsentToken(String token) {
        return valid(token) ? store.remove(CONSENT_PREFIX + token) : null;
    }

    /**
     * Records a resource-token {@code jti} until the token expires (contract check 3; wire notes §1.8).
     *
     * @return false when the same issuer's {@code jti} was seen before (a replay)
     */
    public boolean claimJti(String issuer, String jti, long ttlSeconds) {
        return store.putIfAbsent(JTI_PREFIX + sha256(issuer + " " + jti), Math.max(1, ttlSeconds));
    }

    private static boolean valid(String id) {
        return id != null && id.matches("[A-Za-z0-9_-]{20,64}");
    }

    private static String sha256(String s) {
        try {
            return Base64Url.encode(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
