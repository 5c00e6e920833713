package dev.aauth.keycloak.endpoint;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interaction endpoint's {@code callback} is no open redirect (§User Interaction, §Endpoint URLs). */
class CallbackTargetTest {

    private static final String AGENT = "https://agent.example";

    @ParameterizedTest
    @DisplayName("Given the agent's origin or a loopback URL with a port then the callback is allowed")
    @ValueSource(strings = {
        "https://agent.example/callback?state=abc123",
        "https://agent.example",
        "https://AGENT.example:443/cb",
        "http://127.0.0.1:53124/cb",
        "http://[::1]:53124/",
        "http://localhost:8080",
    })
    void allowed(String callback) {
        assertTrue(CallbackTarget.allowed(callback, AGENT), callback);
    }

    @ParameterizedTest
    @DisplayName("Given another origin, a fragment, userinfo, a script URL or a loose loopback URL then the callback is refused")
    @ValueSource(strings = {
        "https://elsewhere.example/callback",
        "https://agent.example.evil.example/cb",
        "http://agent.example/callback",
        "https://agent.example:8443/callback",
        "https://agent.example/callback#frag",
        "https://user@agent.example/callback",
        "javascript:alert(1)",
        "//elsewhere.example/cb",
        "http://127.0.0.1/cb",
        "http://127.0.0.1:5000/cb?state=x",
        "https://127.0.0.1:5000/cb",
        "http://127.0.0.2:5000/cb",
        "not a url",
    })
    void refused(String callback) {
        assertFalse(CallbackTarget.allowed(callback, AGENT), callback);
    }
}
