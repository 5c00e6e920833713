package dev.aauth.keycloak.token;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Registered JWT claims on presented auth tokens (draft-hardt-aauth c465b2d §Auth Token Structure):
 * accepted in their registered shape; an {@code nbf} in the future is refused.
 */
class RegisteredClaimsTest {

    private static final long NOW = 1_730_217_600L;
    private static final String BASE = "\"iss\":\"https://as.example\",\"aud\":\"https://r.example\",\"agent\":\"https://a.example\",\"sub\":\"u\",\"iat\":" + NOW + ",\"exp\":" + (NOW + 300);

    private static Jwt jwt(String extraClaims) {
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String header = enc.encodeToString("{\"alg\":\"ES256\",\"typ\":\"auth+jwt\",\"kid\":\"k\"}".getBytes(StandardCharsets.UTF_8));
        String payload = enc.encodeToString(("{" + BASE + extraClaims + "}").getBytes(StandardCharsets.UTF_8));
        return Jwt.parse(header + "." + payload + "." + enc.encodeToString(new byte[64]), "auth token", AAuthError.INVALID_AUTH_TOKEN);
    }

    @Test
    @DisplayName("Given act, may_act, nbf, auth_time, acr, amr, azp and client_id in their registered shape then the token is accepted")
    void accepted() {
        Jwt token = jwt(",\"act\":{\"sub\":\"https://b.example\",\"act\":{\"sub\":\"https://c.example\"}},\"may_act\":{\"sub\":\"https://d.example\"},"
                + "\"nbf\":" + (NOW - 5) + ",\"auth_time\":" + (NOW - 100) + ",\"acr\":\"phr\",\"amr\":[\"pwd\",\"otp\"],\"azp\":\"https://a.example\",\"client_id\":\"https://a.example\"");
        assertDoesNotThrow(() -> token.requireRegisteredClaims(NOW, 60, "auth token"));
        assertEquals("https://b.example", token.claims().get("act").get("sub").asText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        ",\"nbf\":1730218200",
        ",\"nbf\":\"soon\"",
        ",\"act\":{\"iss\":\"https://b.example\"}",
        ",\"auth_time\":\"yesterday\"",
        ",\"amr\":\"pwd\"",
        ",\"acr\":1",
    })
    @DisplayName("Given a registered claim in the wrong shape, or nbf in the future, then the token is refused (invalid_auth_token)")
    void refused(String extra) {
        AAuthException e = assertThrows(AAuthException.class, () -> jwt(extra).requireRegisteredClaims(NOW, 60, "auth token"));
        assertEquals(AAuthError.INVALID_AUTH_TOKEN, e.error());
    }
}
