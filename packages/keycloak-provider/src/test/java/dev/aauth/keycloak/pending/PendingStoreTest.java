package dev.aauth.keycloak.pending;

import dev.aauth.keycloak.error.AAuthError;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.models.SingleUseObjectProvider;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One single-use store shared by two realms, as in one Keycloak server (contract "Realms"). */
class PendingStoreTest {

    static final long NOW = 1_800_000_000L;

    /** Keycloak's single-use object store reduced to its map semantics (lifespans are not modelled). */
    static final class SharedStore implements SingleUseObjectProvider {
        final Map<String, Map<String, String>> entries = new ConcurrentHashMap<>();

        @Override
        public void put(String key, long lifespanSeconds, Map<String, String> notes) {
            entries.put(key, new HashMap<>(notes));
        }

        @Override
        public Map<String, String> get(String key) {
            return entries.get(key);
        }

        @Override
        public Map<String, String> remove(String key) {
            return entries.remove(key);
        }

        @Override
        public boolean replace(String key, Map<String, String> notes) {
            return entries.replace(key, new HashMap<>(notes)) != null;
        }

        @Override
        public boolean putIfAbsent(String key, long lifespanInSeconds) {
            return entries.putIfAbsent(key, Map.of()) == null;
        }

        @Override
        public boolean contains(String key) {
            return entries.containsKey(key);
        }

        @Override
        public void close() {
        }
    }

    final SharedStore shared = new SharedStore();
    final PendingStore realmA = new PendingStore(shared, "realm-a-id");
    final PendingStore realmB = new PendingStore(shared, "realm-b-id");

    String createInA(String code) {
        return realmA.create(Map.of("agent", "https://agent.example", "jkt", "thumb"), code, NOW, 600);
    }

    @Test
    @DisplayName("a pending request of realm A is not found, updated or taken through realm B")
    void pendingRequestStaysInItsRealm() {
        String id = createInA("ABCD1234");
        Map<String, String> rec = realmA.get(id);
        assertNotNull(rec);
        assertEquals("realm-a-id", rec.get(PendingStore.REALM));
        assertNull(realmB.get(id));
        assertNull(realmB.take(id));
        assertThrows(IllegalArgumentException.class, () -> realmB.update(id, rec, NOW));
        assertNotNull(realmA.take(id), "realm B's attempts left realm A's record in place");
    }

    @Test
    @DisplayName("an interaction code of realm A cannot be redeemed in realm B, and stays valid in realm A")
    void interactionCodeStaysInItsRealm() {
        String id = createInA("ABCD1234");
        assertNull(realmB.redeemCode("ABCD1234", NOW));
        assertEquals(id, realmA.redeemCode("ABCD1234", NOW));
        assertNull(realmA.redeemCode("ABCD1234", NOW), "single use");
    }

    @Test
    @DisplayName("a consent token of realm A cannot be redeemed in realm B")
    void consentTokenStaysInItsRealm() {
        String id = createInA("ABCD1234");
        String token = realmA.newConsentToken(id, "user-a", "session-a", 60);
        assertNull(realmB.redeemConsentToken(token));
        Map<String, String> bound = realmA.redeemConsentToken(token);
        assertNotNull(bound);
        assertEquals(id, bound.get("pending"));
    }

    @Test
    @DisplayName("a record found under realm B's key but naming realm A is refused")
    void recordNamingAnotherRealmIsRefused() {
        String id = createInA("ABCD1234");
        // Put realm A's records where realm B would look, as a key collision or a foreign writer would.
        Map<String, Map<String, String>> moved = new HashMap<>();
        shared.entries.forEach((k, v) -> moved.put(k.replace("realm-a-id", "realm-b-id"), v));
        shared.entries.putAll(moved);
        assertNull(realmB.get(id));
        assertNull(realmB.take(id));
        assertNull(realmB.redeemCode("ABCD1234", NOW));
    }

    @Test
    @DisplayName("resource-token jti replay is tracked per realm")
    void jtiPerRealm() {
        assertTrue(realmA.claimJti("https://res.example", "j1", 60));
        assertFalse(realmA.claimJti("https://res.example", "j1", 60));
        assertTrue(realmB.claimJti("https://res.example", "j1", 60));
    }

    @Test
    @DisplayName("a redeemed code is remembered as used (so a second use is recognised); a code never redeemed is not")
    void redeemedCodeIsRememberedAsUsed() {
        String id = createInA("ABCD1234");
        assertNull(realmA.usedCode("ABCD1234"));
        assertEquals(id, realmA.redeemCode("ABCD1234", NOW));
        assertEquals(id, realmA.usedCode("ABCD1234"));
        assertNull(realmB.usedCode("ABCD1234"));
    }

    @Test
    @DisplayName("a request that outlives its lifespan: abandoned (403) when its code was opened, expired (408) when never")
    void expiryAfterOpeningIsAbandoned() {
        assertEquals(AAuthError.ABANDONED, PendingStore.expiryError(PendingStore.INTERACTING));
        assertEquals(403, AAuthError.ABANDONED.status());
        assertEquals(AAuthError.EXPIRED, PendingStore.expiryError(PendingStore.PENDING));
        assertEquals(408, AAuthError.EXPIRED.status());
        assertEquals(410, AAuthError.INVALID_CODE.status());
        assertEquals("invalid_code", AAuthError.INVALID_CODE.code());
    }
}
