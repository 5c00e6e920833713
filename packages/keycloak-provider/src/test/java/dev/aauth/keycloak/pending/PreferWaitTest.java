package dev.aauth.keycloak.pending;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 7240 §2 and §4.3 as the poll handler reads {@code Prefer} (contract "Polling"). */
class PreferWaitTest {

    @Test
    @DisplayName("wait=N among other preferences, any case, with parameters or quoted")
    void readsWait() {
        assertEquals(45, PreferWait.parse(List.of("wait=45")));
        assertEquals(10, PreferWait.parse(List.of("respond-async, WAIT=10")));
        assertEquals(7, PreferWait.parse(List.of("handling=lenient", "wait=7;foo=\"a,b\"")));
        assertEquals(3, PreferWait.parse(List.of("wait=\"3\"")));
    }

    @Test
    @DisplayName("only the first wait counts, and a malformed one is not replaced by a later one")
    void firstInstanceOnly() {
        assertEquals(2, PreferWait.parse(List.of("wait=2, wait=9")));
        assertEquals(-1, PreferWait.parse(List.of("wait=soon, wait=9")));
    }

    @Test
    @DisplayName("no wait, a bare wait, negative or non-numeric values: nothing to apply")
    void malformed() {
        assertEquals(-1, PreferWait.parse(List.of()));
        assertEquals(-1, PreferWait.parse(List.of("respond-async")));
        assertEquals(-1, PreferWait.parse(List.of("wait")));
        assertEquals(-1, PreferWait.parse(List.of("wait=-1")));
        assertEquals(-1, PreferWait.parse(List.of("wait=1.5")));
        assertEquals(-1, PreferWait.parse(List.of("wait=9999999999999")));
    }
}
