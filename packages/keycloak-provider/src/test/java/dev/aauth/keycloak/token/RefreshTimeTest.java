package dev.aauth.keycloak.token;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When an auth token may be refreshed (draft-hardt-aauth c465b2d §Token Refresh; contract check 5): an
 * expired token within the refresh window; a live one only with {@code aauth.earlyRefresh} on, or within
 * the 60 s clock skew of its {@code exp}.
 */
class RefreshTimeTest {

    private static final long EXP = 1_730_217_600L;

    @Test
    @DisplayName("an expired token within the window is refreshed, with or without early refresh")
    void expiredWithinWindow() {
        assertNull(AuthTokenVerifier.refreshTimeRefusal(EXP, EXP + 10, 86400, false));
        assertNull(AuthTokenVerifier.refreshTimeRefusal(EXP, EXP + 86400, 86400, true));
    }

    @Test
    @DisplayName("beyond the refresh window → refused, naming the window")
    void beyondWindow() {
        String refusal = AuthTokenVerifier.refreshTimeRefusal(EXP, EXP + 86401, 86400, true);
        assertNotNull(refusal);
        assertTrue(refusal.contains("refresh window"), refusal);
        assertNotNull(AuthTokenVerifier.refreshTimeRefusal(EXP, EXP + 1, 0, true));
    }

    @Test
    @DisplayName("early refresh off: a live token is refused unless within the 60 s clock skew of exp")
    void earlyRefreshOff() {
        String refusal = AuthTokenVerifier.refreshTimeRefusal(EXP, EXP - 61, 86400, false);
        assertNotNull(refusal);
        assertTrue(refusal.contains("aauth.earlyRefresh"), refusal);
        assertNull(AuthTokenVerifier.refreshTimeRefusal(EXP, EXP - 60, 86400, false));
        assertNull(AuthTokenVerifier.refreshTimeRefusal(EXP, EXP - 200, 86400, true));
    }
}
