package dev.aauth.keycloak.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code aauth-may-act-mapper}: which agents its {@code may_act} (RFC 8693 §4.4) names. */
class MayActMapperTest {

    static final String A = "https://agent-a.example";
    static final String B = "https://agent-b.example";

    @Test
    @DisplayName("Given only the mapper setting (one agent) then may_act is the §4.4 object naming it")
    void settingOneAgent() {
        JsonNode c = MayActMapper.claim(List.of(), A);
        assertEquals(A, c.get("sub").asText());
        assertEquals(1, c.size());
    }

    @Test
    @DisplayName("Given the console's multivalued setting (two agents) then may_act is an array of objects")
    void settingTwoAgents() {
        JsonNode c = MayActMapper.claim(List.of(), A + "##" + B);
        assertTrue(c.isArray());
        assertEquals(B, c.get(1).get("sub").asText());
    }

    @Test
    @DisplayName("Given the user attribute aauth.mayAct then it wins over the mapper setting")
    void userAttributeWins() {
        JsonNode c = MayActMapper.claim(List.of("[\"" + B + "\"]"), A);
        assertEquals(B, c.get("sub").asText());
    }

    @Test
    @DisplayName("Given a malformed user attribute then may_act names nobody (fail closed)")
    void malformedAttributeNamesNobody() {
        JsonNode c = MayActMapper.claim(List.of("[1]"), A);
        assertTrue(c.isArray());
        assertEquals(0, c.size());
    }

    @Test
    @DisplayName("Given neither then the token carries no may_act")
    void neither() {
        assertNull(MayActMapper.claim(List.of(), null));
    }
}
