package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokenExchangeRequestTest {

    static final String FORM = "application/x-www-form-urlencoded";
    static final String BASE = "grant_type=" + enc(TokenExchangeRequest.GRANT_TYPE) + "&subject_token=a.b.c&subject_token_type="
            + enc(TokenExchangeRequest.JWT_TYPE);

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static TokenExchangeRequest parse(String type, String body) {
        return TokenExchangeRequest.parse(type, body.getBytes(StandardCharsets.UTF_8));
    }

    static AAuthError refusal(String type, String body) {
        return assertThrows(AAuthException.class, () -> parse(type, body)).error();
    }

    @Test
    @DisplayName("RFC 8693 §2.1: audience is the target, resource only when no audience is given")
    void parses() {
        TokenExchangeRequest r = parse(FORM + "; charset=utf-8", BASE + "&audience=" + enc("https://r.example") + "&resource=" + enc("https://x.example") + "&scope=a+b");
        assertEquals("a.b.c", r.subjectToken());
        assertEquals("https://r.example", r.target());
        assertEquals("a b", r.scope());
        assertNull(r.actorToken());
        assertEquals("https://x.example", parse(FORM, BASE + "&resource=" + enc("https://x.example")).target());
        assertEquals("t", parse(FORM, BASE + "&actor_token=t&actor_token_type=" + enc(TokenExchangeRequest.JWT_TYPE)).actorToken());
    }

    @Test
    @DisplayName("other grant types → unsupported_grant_type; malformed requests → invalid_request")
    void refuses() {
        assertEquals(AAuthError.UNSUPPORTED_GRANT_TYPE, refusal(FORM, "grant_type=client_credentials"));
        assertEquals(AAuthError.INVALID_REQUEST, refusal(FORM, "subject_token=a"));
        assertEquals(AAuthError.INVALID_REQUEST, refusal("application/json", "{\"grant_type\":\"" + TokenExchangeRequest.GRANT_TYPE + "\"}"));
        assertEquals(AAuthError.INVALID_REQUEST, refusal(FORM, "grant_type=" + enc(TokenExchangeRequest.GRANT_TYPE) + "&subject_token_type=" + enc(TokenExchangeRequest.JWT_TYPE)));
        assertEquals(AAuthError.INVALID_REQUEST, refusal(FORM, BASE.replace(enc(TokenExchangeRequest.JWT_TYPE), "saml2")));
        assertEquals(AAuthError.INVALID_REQUEST, refusal(FORM, BASE + "&actor_token=t"));
        assertEquals(AAuthError.INVALID_REQUEST, refusal(FORM, BASE + "&actor_token_type=" + enc(TokenExchangeRequest.JWT_TYPE)));
        assertEquals(AAuthError.INVALID_REQUEST, refusal(FORM, BASE + "&actor_token=t&actor_token_type=" + enc(TokenExchangeRequest.ACCESS_TOKEN_TYPE)));
        assertEquals(AAuthError.INVALID_REQUEST, refusal(FORM, BASE + "&requested_token_type=saml"));
        assertEquals(AAuthError.INVALID_REQUEST, refusal(FORM, BASE + "&audience=a&audience=b"));
        assertEquals(AAuthError.INVALID_REQUEST, refusal(FORM, BASE + "&scope=" + "x".repeat(16 * 1024 + 1)));
    }
}
