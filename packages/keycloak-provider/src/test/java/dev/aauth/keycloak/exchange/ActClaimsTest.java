package dev.aauth.keycloak.exchange;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.util.JsonSerialization;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActClaimsTest {

    static JsonNode json(String s) throws Exception {
        return JsonSerialization.mapper.readTree(s);
    }

    @Test
    @DisplayName("RFC 8693 §4.1: the new actor is outermost, earlier actors nest inside in order")
    void nestsChains() throws Exception {
        ObjectNode first = ActClaims.nest("https://a.example", null);
        ObjectNode second = ActClaims.nest("https://b.example", first);
        ObjectNode third = ActClaims.nest("https://c.example", ActClaims.parse(second));
        assertEquals(json("{\"sub\":\"https://c.example\",\"act\":{\"sub\":\"https://b.example\",\"act\":{\"sub\":\"https://a.example\"}}}"), third);
        assertEquals(List.of("https://c.example", "https://b.example", "https://a.example"), ActClaims.chain(third));
        // nest copies: changing the result leaves the prior chain alone
        third.with("act").put("sub", "changed");
        assertEquals("https://b.example", second.get("sub").asText());
    }

    @Test
    @DisplayName("parse keeps sub, iss and act, drops other members, and is null when absent")
    void parsesAndNormalises() throws Exception {
        assertNull(ActClaims.parse(null));
        ObjectNode act = ActClaims.parse(json("{\"sub\":\"x\",\"iss\":\"https://i\",\"extra\":1,\"act\":{\"sub\":\"y\"}}"));
        assertEquals(json("{\"sub\":\"x\",\"iss\":\"https://i\",\"act\":{\"sub\":\"y\"}}"), act);
    }

    @Test
    @DisplayName("malformed act: not an object, empty or non-string sub, non-string iss, too deep")
    void refusesMalformed() throws Exception {
        for (String bad : List.of("\"x\"", "[]", "{}", "{\"sub\":\"\"}", "{\"sub\":3}", "{\"sub\":\"x\",\"iss\":1}", "{\"sub\":\"x\",\"act\":\"y\"}")) {
            assertThrows(IllegalArgumentException.class, () -> ActClaims.parse(json(bad)), bad);
        }
        ObjectNode deep = null;
        for (int i = 0; i < ActClaims.MAX_DEPTH; i++) {
            deep = ActClaims.nest("a" + i, deep);
        }
        ObjectNode tooDeep = ActClaims.nest("top", deep);
        assertThrows(IllegalArgumentException.class, () -> ActClaims.parse(tooDeep));
        assertEquals(ActClaims.MAX_DEPTH, ActClaims.chain(ActClaims.parse(deep)).size());
    }

    @Test
    @DisplayName("RFC 8693 §4.4 may_act: object or array; sub must match; an iss never matches an agent")
    void mayAct() throws Exception {
        assertTrue(ActClaims.mayActAllows(json("{\"sub\":\"https://a\"}"), "https://a"));
        assertFalse(ActClaims.mayActAllows(json("{\"sub\":\"https://a\"}"), "https://b"));
        assertTrue(ActClaims.mayActAllows(json("[{\"sub\":\"https://a\"},{\"sub\":\"https://b\"}]"), "https://b"));
        assertFalse(ActClaims.mayActAllows(json("{\"sub\":\"https://a\",\"iss\":\"https://i\"}"), "https://a"));
        assertFalse(ActClaims.mayActAllows(json("\"https://a\""), "https://a"));
        assertFalse(ActClaims.mayActAllows(json("[]"), "https://a"));
        assertFalse(ActClaims.mayActAllows(null, "https://a"));
    }
}
