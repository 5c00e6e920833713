package dev.aauth.keycloak.exchange;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.policy.RealmView;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.util.JsonSerialization;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExchangePolicyTest {

    static final String BACKEND = "https://backend.example";
    static final String SCA = "https://sca.example";
    static final String PLANNER = "https://planner.example";
    static final String MAA = "https://maa.example";
    static final String USER = "user-1";

    static final RealmView REALM = new RealmView() {
        final Scope plan = new Scope("planner:plan", PLANNER, "Plan");
        final Scope analyze = new Scope("maa:analyze", MAA, "Analyze");
        final Scope secret = new Scope("maa:secret", MAA, "Secret");

        @Override
        public Agent agent(String id) {
            if (SCA.equals(id)) {
                return new Agent(id, "SCA", true, Map.of("planner:plan", plan, "maa:analyze", analyze, "maa:secret", secret),
                        Set.of("planner:plan", "maa:analyze", "maa:secret"));
            }
            if (PLANNER.equals(id)) {
                return new Agent(id, "Planner", false, Map.of("maa:analyze", analyze), Set.of("maa:analyze"));
            }
            if (BACKEND.equals(id)) {
                // No chaining policy: a user carried from another agent is not enough to act for them.
                return new Agent(id, "Backend", false, Map.of("planner:plan", plan));
            }
            return null;
        }

        @Override
        public boolean isResource(String id) {
            return SCA.equals(id) || PLANNER.equals(id) || MAA.equals(id) || BACKEND.equals(id);
        }

        @Override
        public Set<String> consentScopes() {
            return Set.of("maa:secret");
        }
    };

    static JsonNode json(String s) throws Exception {
        return JsonSerialization.mapper.readTree(s);
    }

    static SubjectToken authToken(String aud, JsonNode mayAct) {
        return new SubjectToken(USER, aud, BACKEND, null, mayAct);
    }

    static AAuthError refusal(Runnable r) {
        return assertThrows(AAuthException.class, r::run).error();
    }

    @Test
    @DisplayName("self-delegation: a subject token whose sub is the actor itself is invalid_request; another sub passes")
    void selfDelegation() {
        AAuthException e = assertThrows(AAuthException.class, () -> ExchangePolicy.refuseSelfDelegation(PLANNER, PLANNER));
        assertEquals(AAuthError.INVALID_REQUEST, e.error());
        assertTrue(e.getMessage().contains("actor itself"), e.getMessage());
        ExchangePolicy.refuseSelfDelegation(PLANNER, USER);
    }

    @Test
    @DisplayName("an auth token's agent becomes the innermost actor; consentRequired is waived (the user is known)")
    void firstExchange() throws Exception {
        ExchangeDecision d = ExchangePolicy.decide(REALM, SCA, authToken(SCA, null), null, PLANNER, null);
        assertEquals(json("{\"sub\":\"" + SCA + "\",\"act\":{\"sub\":\"" + BACKEND + "\"}}"), d.act());
        assertEquals(List.of("planner:plan"), d.scopes());
    }

    @Test
    @DisplayName("an exchanged token's act is nested whole under the next actor")
    void secondExchange() throws Exception {
        JsonNode act = json("{\"sub\":\"" + SCA + "\",\"act\":{\"sub\":\"" + BACKEND + "\"}}");
        SubjectToken exchanged = new SubjectToken(USER, PLANNER, null, act, null);
        ExchangeDecision d = ExchangePolicy.decide(REALM, PLANNER, exchanged, null, MAA, List.of("maa:analyze"));
        assertEquals(List.of(PLANNER, SCA, BACKEND), ActClaims.chain(d.act()));
        assertEquals(List.of("maa:analyze"), d.scopes());
    }

    @Test
    @DisplayName("without may_act the actor must be the audience; with may_act, may_act alone decides")
    void mayActAndAudience() throws Exception {
        assertEquals(AAuthError.INVALID_GRANT, refusal(() -> ExchangePolicy.decide(REALM, PLANNER, authToken(SCA, null), null, MAA, null)));
        JsonNode mayPlanner = json("{\"sub\":\"" + PLANNER + "\"}");
        assertEquals(List.of(PLANNER, BACKEND), ActClaims.chain(ExchangePolicy.decide(REALM, PLANNER, authToken(SCA, mayPlanner), null, MAA, null).act()));
        // The audience itself is refused when may_act names someone else.
        assertEquals(AAuthError.INVALID_GRANT, refusal(() -> ExchangePolicy.decide(REALM, SCA, authToken(SCA, mayPlanner), null, PLANNER, null)));
    }

    @Test
    @DisplayName("the user's aauth.mayAct restricts further, even an actor the token allows")
    void userMayAct() {
        assertEquals(AAuthError.INVALID_GRANT, refusal(() -> ExchangePolicy.decide(REALM, SCA, authToken(SCA, null), List.of(PLANNER), PLANNER, null)));
        assertEquals(AAuthError.INVALID_GRANT, refusal(() -> ExchangePolicy.decide(REALM, SCA, authToken(SCA, null), List.of(), PLANNER, null)));
        assertTrue(ExchangePolicy.decide(REALM, SCA, authToken(SCA, null), List.of(SCA), PLANNER, null).scopes().contains("planner:plan"));
    }

    @Test
    @DisplayName("target: missing or not a resource → invalid_target; scopes: not granted → invalid_scope, consent scope → access_denied")
    void targetAndScopes() {
        assertEquals(AAuthError.INVALID_TARGET, refusal(() -> ExchangePolicy.decide(REALM, SCA, authToken(SCA, null), null, null, null)));
        assertEquals(AAuthError.INVALID_TARGET, refusal(() -> ExchangePolicy.decide(REALM, SCA, authToken(SCA, null), null, "https://nowhere.example", null)));
        assertEquals(AAuthError.INVALID_SCOPE, refusal(() -> ExchangePolicy.decide(REALM, SCA, authToken(SCA, null), null, PLANNER, List.of("maa:analyze"))));
        assertEquals(AAuthError.ACCESS_DENIED, refusal(() -> ExchangePolicy.decide(REALM, SCA, authToken(SCA, null), null, MAA, List.of("maa:secret"))));
        assertEquals(AAuthError.INVALID_SCOPE, refusal(() -> ExchangePolicy.decide(REALM, PLANNER, authToken(PLANNER, null), null, SCA, null)));
    }

    @Test
    @DisplayName("consent escalation: the actor's own token (issued to it, or its self-access token) is no subject token → invalid_grant")
    void ownToken() throws Exception {
        // Issued to the backend as agent (aud = a resource it was allowed to call, may_act naming itself).
        JsonNode mayBackend = json("{\"sub\":\"" + BACKEND + "\"}");
        assertEquals(AAuthError.INVALID_GRANT, refusal(() -> ExchangePolicy.decide(REALM, BACKEND, authToken(SCA, mayBackend), null, PLANNER, null)));
        // A self-access token: aud = agent.
        SubjectToken self = new SubjectToken(USER, SCA, SCA, null, null);
        assertEquals(AAuthError.INVALID_GRANT, refusal(() -> ExchangePolicy.decide(REALM, SCA, self, null, PLANNER, null)));
        // An exchanged token the actor already acted on.
        SubjectToken loop = new SubjectToken(USER, SCA, null, json("{\"sub\":\"" + PLANNER + "\",\"act\":{\"sub\":\"" + SCA + "\"}}"), null);
        assertEquals(AAuthError.INVALID_GRANT, refusal(() -> ExchangePolicy.decide(REALM, SCA, loop, null, MAA, List.of("maa:analyze"))));
    }

    @Test
    @DisplayName("an actor without aauth.chainScopes covering the scopes cannot act for a carried user → access_denied")
    void chainScopes() {
        SubjectToken toBackend = new SubjectToken(USER, BACKEND, SCA, null, null);
        assertEquals(AAuthError.ACCESS_DENIED, refusal(() -> ExchangePolicy.decide(REALM, BACKEND, toBackend, null, PLANNER, List.of("planner:plan"))));
        assertEquals(AAuthError.ACCESS_DENIED, refusal(() -> ExchangePolicy.decide(REALM, BACKEND, toBackend, null, PLANNER, null)));
    }

    @Test
    @DisplayName("a malformed or overlong earlier chain → invalid_grant")
    void chainLimits() throws Exception {
        assertEquals(AAuthError.INVALID_GRANT, refusal(() -> {
            try {
                ExchangePolicy.decide(REALM, SCA, new SubjectToken(USER, SCA, null, json("{\"sub\":1}"), null), null, PLANNER, null);
            } catch (Exception e) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
        }));
        com.fasterxml.jackson.databind.node.ObjectNode chain = null;
        for (int i = 0; i < ActClaims.MAX_DEPTH - 1; i++) {
            chain = ActClaims.nest("https://a" + i + ".example", chain);
        }
        SubjectToken longChain = new SubjectToken(USER, SCA, null, chain, null);
        assertEquals(AAuthError.INVALID_GRANT, refusal(() -> ExchangePolicy.decide(REALM, SCA, longChain, null, PLANNER, null)));
    }
}
