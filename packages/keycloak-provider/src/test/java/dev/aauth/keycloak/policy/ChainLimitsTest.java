package dev.aauth.keycloak.policy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The realm's default chain policy: {@code aauth.maxChainDepth}, {@code aauth.chainActors} (contract "Chain policy"). */
class ChainLimitsTest {

    static final String A = "https://a.example";
    static final String B = "https://b.example";
    static final String C = "https://c.example";

    @Test
    @DisplayName("Given a chain of exactly aauth.maxChainDepth actors then it is allowed; one more is refused naming the setting")
    void depth() {
        ChainLimits limits = new ChainLimits(2, null);
        assertNull(limits.refusal(List.of(A, B)));
        assertTrue(limits.refusal(List.of(A, B, C)).contains("aauth.maxChainDepth"));
    }

    @Test
    @DisplayName("Given aauth.chainActors then an actor outside it anywhere in the chain is refused, by name")
    void actors() {
        ChainLimits limits = new ChainLimits(ChainLimits.DEFAULT_MAX_DEPTH, Set.of(A, B));
        assertNull(limits.refusal(List.of(A, B)));
        String r = limits.refusal(List.of(A, C));
        assertTrue(r.contains(C) && r.contains("aauth.chainActors"), r);
    }

    @Test
    @DisplayName("Given a one-actor chain then aauth.maxChainDepth 1 allows it and an aauth.chainActors list lacking it refuses it")
    void oneActor() {
        assertNull(new ChainLimits(1, null).refusal(List.of(A)));
        assertTrue(new ChainLimits(1, null).refusal(List.of(A, B)).contains("aauth.maxChainDepth"));
        String r = new ChainLimits(1, Set.of(B)).refusal(List.of(A));
        assertTrue(r.contains(A) && r.contains("aauth.chainActors"), r);
    }
}
