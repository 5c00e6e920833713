package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokenRequestBodyTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void invalid(String type, byte[] body) {
        AAuthException e = assertThrows(AAuthException.class, () -> TokenRequestBody.parse(type, body));
        assertEquals(AAuthError.INVALID_REQUEST, e.error());
    }

    @Test
    @DisplayName("Given JSON or form bodies then string members are read")
    void parses() {
        assertEquals(Map.of("scope", "a b"), TokenRequestBody.parse("application/json; charset=utf-8", b("{\"scope\":\"a b\"}")));
        assertEquals(Map.of("scope", "a b", "purpose", "x&y"), TokenRequestBody.parse("application/x-www-form-urlencoded", b("scope=a+b&purpose=x%26y")));
    }

    @Test
    @DisplayName("Given malformed or ambiguous bodies then invalid_request, never a server error")
    void refuses() {
        invalid("application/json", b("[]"));
        invalid("application/json", b("{\"scope\":1}"));
        invalid("application/json", b("{\"scope\":"));
        invalid("application/json", new byte[0]);
        invalid("application/json", new byte[] {(byte) 0xff, (byte) 0xfe});
        invalid("text/plain", b("scope=a"));
        invalid(null, b("scope=a"));
        invalid("application/x-www-form-urlencoded", b("scope=a&scope=b"));
        invalid("application/x-www-form-urlencoded", b("scope=%zz"));
    }
}
