package dev.aauth.keycloak.pending;

import dev.aauth.keycloak.error.AAuthError;
import org.keycloak.common.util.Base64Url;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.SingleUseObjectProvider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Pending token requests, interaction codes, consent form tokens and resource-token {@code jti}s in
 * Keycloak's single-use object store (draft-hardt-aauth c465b2d §Token Endpoint "202 Accepted";
 * contract "Responses" and check 3).
 *
 * <p>Keys are namespaced with {@code aauth:} and attacker-chosen values are hashed, because the store is
 * one flat map shared with other Keycloak features and with every realm. A store serves one realm
 * (contract "Realms"): its keys carry the realm id, and every record carries it too and is refused on
 * read when it names another realm, so a pending URL, interaction code or consent token of one realm
 * means nothing in another. A record is updated by putting it again with its remaining lifespan
 * ({@code replace} keeps no lifespan), and a terminal state is delivered exactly once by
 * {@code remove}, which is atomic.
 */
public final class PendingStore {

    public static final String STATUS = "status";
    public static final String PENDING = "pending";
    public static final String INTERACTING = "interacting";
    public static final String APPROVED = "approved";
    public static final String DENIED = "denied";
    /** The interaction code was presented again after it was used: the request ends with {@code invalid_code}. */
    public static final String CODE_REUSED = "code_reused";
    /** The interaction code, repeated in the 202 of a poll until it is opened. */
    public static final String CODE = "code";
    public static final String EXPIRES_AT = "expires_at";
    /** The id of the realm a record belongs to. */
    public static final String REALM = "realm";
    /** Where the browser goes once the user decides (§User Interaction {@code callback}). */
    public static final String CALLBACK = "callback";
    /** The user an upstream token named: only that user may answer the request (contract "Consent"). */
    public static final String REQUIRED_USER = "required_user";

    /** Kept past expiry so a late poll still gets one 408 before the URL answers 404. */
    public static final long GRACE_SECONDS = 120;

    private static final String PENDING_PREFIX = "aauth:pending:";
    private static final String CODE_PREFIX = "aauth:ic:";
    /** A redeemed code, remembered for its request's lifetime so that a second use is recognised. */
    private static final String USED_CODE_PREFIX = "aauth:ic-used:";
    private static final String CONSENT_PREFIX = "aauth:consent:";
    private static final String JTI_PREFIX = "aauth:rt-jti:";
    /** Unknown interaction codes sent from one client address (§Interaction Code Format: codes are guessable in bulk). */
    private static final String GUESS_PREFIX = "aauth:ic-guess:";
    /** Past this many unknown codes from one address within {@link #GUESS_SECONDS}, it is locked for as long. */
    public static final int MAX_GUESSES = 10;
    public static final long GUESS_SECONDS = 300;
    private static final String CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SingleUseObjectProvider store;
    private final String realmId;

    public PendingStore(SingleUseObjectProvider store, String realmId) {
        this.store = Objects.requireNonNull(store);
        this.realmId = Objects.requireNonNull(realmId);
    }

    /** The store of {@code realm}, in the session's single-use object store. */
    public static PendingStore of(KeycloakSession session, RealmModel realm) {
        return new PendingStore(session.singleUseObjects(), realm.getId());
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
        n.put(REALM, realmId);
        store.put(key(PENDING_PREFIX, id), lifespan + GRACE_SECONDS, n);
        store.put(key(CODE_PREFIX, code), lifespan, Map.of("pending", id, REALM, realmId));
        return id;
    }

    public Map<String, String> get(String id) {
        return valid(id) ? ours(store.get(key(PENDING_PREFIX, id))) : null;
    }

    /** Re-puts the record with its remaining lifespan. */
    public void update(String id, Map<String, String> notes, long now) {
        if (!valid(id) || !realmId.equals(notes.get(REALM))) {
            throw new IllegalArgumentException("pending record of another realm");
        }
        long expiresAt = Long.parseLong(notes.get(EXPIRES_AT));
        long remaining = Math.max(1, expiresAt + GRACE_SECONDS - now);
        store.put(key(PENDING_PREFIX, id), remaining, new HashMap<>(notes));
    }

    /** Takes the record for a terminal answer; null when another request already took it. */
    public Map<String, String> take(String id) {
        return valid(id) ? ours(store.remove(key(PENDING_PREFIX, id))) : null;
    }

    /** The pending id an interaction code names, without using the code up; null when unknown. */
    public String peekCode(String code) {
        if (code == null || !code.matches("[A-Z0-9]{8}")) {
            return null;
        }
        Map<String, String> n = ours(store.get(key(CODE_PREFIX, code)));
        return n == null ? null : n.get("pending");
    }

    /** Redeems an interaction code (single use); returns the pending id or null. */
    public String redeemCode(String code, long now) {
        if (code == null || !code.matches("[A-Z0-9]{8}")) {
            return null;
        }
        Map<String, String> n = ours(store.remove(key(CODE_PREFIX, code)));
        if (n == null) {
            return null;
        }
        String id = n.get("pending");
        Map<String, String> rec = get(id);
        if (rec != null) {
            long remaining = Math.max(1, Long.parseLong(rec.get(EXPIRES_AT)) - now);
            store.put(key(USED_CODE_PREFIX, code), remaining, Map.of("pending", id, REALM, realmId));
        }
        return id;
    }

    /** The pending id of a code that was already redeemed; null when the code was never used (or is long gone). */
    public String usedCode(String code) {
        if (code == null || !code.matches("[A-Z0-9]{8}")) {
            return null;
        }
        Map<String, String> n = ours(store.get(key(USED_CODE_PREFIX, code)));
        return n == null ? null : n.get("pending");
    }

    /**
     * The terminal error of a request whose lifespan ended undecided (draft c465b2d §Polling Error Codes):
     * {@code abandoned} when its code was opened (the user began but did not finish), {@code expired}
     * when it never was.
     */
    public static AAuthError expiryError(String status) {
        return INTERACTING.equals(status) ? AAuthError.ABANDONED : AAuthError.EXPIRED;
    }

    /** A one-time token for the consent form, bound to the pending request and the user. */
    public String newConsentToken(String pendingId, String userId, String userSessionId, long lifespan) {
        String token = newId();
        store.put(key(CONSENT_PREFIX, token), Math.max(1, lifespan),
                Map.of("pending", pendingId, "user", userId, "user_session", userSessionId, REALM, realmId));
        return token;
    }

    public Map<String, String> redeemConsentToken(String token) {
        return valid(token) ? ours(store.remove(key(CONSENT_PREFIX, token))) : null;
    }

    /**
     * Records a resource-token {@code jti} until the token expires (contract check 3; wire notes §1.8).
     *
     * @return false when the same issuer's {@code jti} was seen before (a replay)
     */
    public boolean claimJti(String issuer, String jti, long ttlSeconds) {
        return store.putIfAbsent(key(JTI_PREFIX, sha256(issuer + " " + jti)), Math.max(1, ttlSeconds));
    }

    /**
     * Seconds the client {@code address} must wait before its next interaction code is looked at; 0 = go
     * ahead. The counter is per realm, keyed by a hash of the address, and lives in the single-use store
     * like the codes, so every node of a cluster sees it.
     */
    public long guessRetryAfter(String address, long now) {
        Map<String, String> n = ours(store.get(key(GUESS_PREFIX, sha256(address))));
        long until = n == null ? 0 : Long.parseLong(n.getOrDefault("locked_until", "0"));
        return Math.max(0, until - now);
    }

    /**
     * Counts an unknown code from {@code address}: the {@link #MAX_GUESSES}th within {@link #GUESS_SECONDS}
     * of the first locks the address for {@link #GUESS_SECONDS}. Read-modify-write without a lock: two
     * guesses at the same instant may count once, which only lets a guesser a handful more tries.
     */
    public void guessFailed(String address, long now) {
        String k = key(GUESS_PREFIX, sha256(address));
        Map<String, String> n = ours(store.get(k));
        long first = n == null ? now : Long.parseLong(n.get("first"));
        int count = n == null || now - first >= GUESS_SECONDS ? 1 : Integer.parseInt(n.get("count")) + 1;
        if (count == 1) {
            first = now;
        }
        Map<String, String> next = new HashMap<>();
        next.put(REALM, realmId);
        next.put("first", Long.toString(first));
        next.put("count", Integer.toString(count));
        long lifespan = Math.max(1, first + GUESS_SECONDS - now);
        if (count >= MAX_GUESSES) {
            next.put("locked_until", Long.toString(now + GUESS_SECONDS));
            lifespan = GUESS_SECONDS;
        }
        store.put(k, lifespan, next);
    }

    /**
     * The realm id goes before the value; values never contain {@code :} (ids, codes and hashes are
     * base64url or A-Z0-9), so two realms can never produce the same key.
     */
    private String key(String prefix, String value) {
        return prefix + realmId + ":" + value;
    }

    /** A record only counts in the realm it names. */
    private Map<String, String> ours(Map<String, String> rec) {
        return rec != null && realmId.equals(rec.get(REALM)) ? rec : null;
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
