package dev.aauth.keycloak.endpoint;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Person Server review page's {@code form-action}: {@code 'self'}, and the validated callback's origin
 * beside it, so a browser follows the 303 after the decision to a callback on another origin (CSP3 §6.4.2).
 */
class ConsentFormActionTest {

    private static final String KEYCLOAK_DEFAULT = "frame-src 'self'; frame-ancestors 'self'; object-src 'none';";

    @Test
    void theCallbacksOriginIsNamedBesideSelf() {
        assertEquals(KEYCLOAK_DEFAULT + " form-action 'self' http://supply-chain.localhost:9002",
                ConsentPage.formAction(KEYCLOAK_DEFAULT, "http://supply-chain.localhost:9002/chain/callback?flow=f-1"));
        assertEquals("form-action 'self' https://agent.example",
                ConsentPage.formAction(null, "https://Agent.example/cb"));
    }

    @Test
    void withoutACallbackOnlySelf() {
        assertEquals("default-src 'self'; form-action 'self'", ConsentPage.formAction("default-src 'self'", null));
    }

    @Test
    void aRealmPolicyWithItsOwnFormActionIsLeftAsConfigured() {
        assertEquals("default-src 'self'; form-action https://x.example", ConsentPage.formAction("default-src 'self'; form-action https://x.example", "https://a.example/cb"));
    }
}
