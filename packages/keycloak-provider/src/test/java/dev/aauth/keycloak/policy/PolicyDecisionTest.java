package dev.aauth.keycloak.policy;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyDecisionTest {

    static final String AGENT = "https://agent.example";
    static final String ASSISTANT = "https://assistant.example";
    static final String CAL = "https://calendar.example";

    static final RealmView REALM = new RealmView() {
        final Map<String, Scope> scopes = Map.of(
                "cal.read", new Scope("cal.read", CAL, "Read"),
                "cal.write", new Scope("cal.write", CAL, "Write"),
                "self", new Scope("self", null, "Self"));

        @Override
        public Agent agent(String id) {
            if (AGENT.equals(id)) {
                return new Agent(id, "Agent", false, scopes);
            }
            if (ASSISTANT.equals(id)) {
                return new Agent(id, "Assistant", true, Map.of("cal.read", scopes.get("cal.read")), Set.of("cal.read"));
            }
            return null;
        }

        @Override
        public boolean isResource(String id) {
            return CAL.equals(id);
        }

        @Override
        public Set<String> consentScopes() {
            return Set.of("cal.write");
        }
    };

    private static AAuthError refusal(AccessRequest r) {
        return assertThrows(AAuthException.class, () -> PolicyDecision.evaluate(REALM, r)).error();
    }

    @Test
    @DisplayName("Given an autonomous agent and a granted scope then no consent is needed")
    void autonomous() {
        assertFalse(PolicyDecision.evaluate(REALM, new AccessRequest(AGENT, CAL, false, List.of("cal.read"), null)));
        assertFalse(PolicyDecision.evaluate(REALM, new AccessRequest(AGENT, AGENT, true, List.of("self"), null)));
    }

    @Test
    @DisplayName("Given consentRequired then consent is needed unless a carried user's scopes are all in aauth.chainScopes")
    void consentRequired() {
        assertTrue(PolicyDecision.evaluate(REALM, new AccessRequest(ASSISTANT, CAL, false, List.of("cal.read"), null)));
        assertFalse(PolicyDecision.evaluate(REALM, new AccessRequest(ASSISTANT, CAL, false, List.of("cal.read"), "user-1")));
    }

    @Test
    @DisplayName("Given a user carried from another agent and no aauth.chainScopes then consent is needed, even for an autonomous agent")
    void carriedUserWithoutChainPolicy() {
        assertTrue(PolicyDecision.evaluate(REALM, new AccessRequest(AGENT, CAL, false, List.of("cal.read"), "user-1")));
        assertTrue(PolicyDecision.evaluate(REALM, new AccessRequest(AGENT, CAL, false, List.of(), "user-1")));
    }

    @Test
    @DisplayName("Given a scope in aauth.consentScopes then consent is needed, even with an upstream sub")
    void consentScopes() {
        assertTrue(PolicyDecision.evaluate(REALM, new AccessRequest(AGENT, CAL, false, List.of("cal.write"), "user-1")));
    }

    @Test
    @DisplayName("Given unknown parties or scopes then the refusal codes follow the contract")
    void refusals() {
        assertEquals(AAuthError.ACCESS_DENIED, refusal(new AccessRequest("https://x.example", CAL, false, List.of(), null)));
        assertEquals(AAuthError.ACCESS_DENIED, refusal(new AccessRequest(AGENT, "https://y.example", false, List.of(), null)));
        assertEquals(AAuthError.INVALID_SCOPE, refusal(new AccessRequest(AGENT, CAL, false, List.of("nope"), null)));
        assertEquals(AAuthError.INVALID_SCOPE, refusal(new AccessRequest(AGENT, CAL, false, List.of("self"), null)));
        assertEquals(AAuthError.INVALID_SCOPE, refusal(new AccessRequest(ASSISTANT, ASSISTANT, true, List.of("cal.write"), null)));
    }

    @Test
    @DisplayName("Given self-access naming a scope another resource offers then invalid_scope, even when the agent may obtain it")
    void selfAccessWithAResourceScope() {
        assertEquals(AAuthError.INVALID_SCOPE, refusal(new AccessRequest(AGENT, AGENT, true, List.of("cal.read"), null)));
        assertEquals(AAuthError.INVALID_SCOPE, refusal(new AccessRequest(AGENT, AGENT, true, List.of("self", "cal.read"), null)));
    }
}
