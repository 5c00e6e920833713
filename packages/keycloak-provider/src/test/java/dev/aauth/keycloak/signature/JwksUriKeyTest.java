package dev.aauth.keycloak.signature;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code jwks_uri} Signature-Key parameters (draft-hardt-httpbis-signature-key at f22a52e, §JWKS URI Discovery). */
class JwksUriKeyTest {

    private static SignedRequest signed(String params) {
        TestRequest request = new TestRequest("POST", "https", "as.example", "/token", null)
                .header("signature-key", "sig=jwks_uri;" + params)
                .header("signature-input", "sig=(\"@method\" \"@authority\" \"@path\" \"signature-key\");created=1")
                .header("signature", "sig=:AAAA:");
        return SignedRequest.parse(request);
    }

    @ParameterizedTest(name = "the document is read from {0}")
    @ValueSource(strings = {"well-known", "dwk"})
    @DisplayName("Given a jwks_uri key naming its document under well-known (the draft's name) or dwk (a later draft's) then both are read")
    void bothNames(String param) {
        JwksUriKey key = JwksUriKey.of(signed("id=\"https://agent.example\";" + param + "=\"aauth-agent.json\";kid=\"k1\""));
        assertEquals(new JwksUriKey("https://agent.example", "aauth-agent.json", "k1"), key);
        assertDoesNotThrow(key::requireAgentDocument);
    }

    @Test
    @DisplayName("Given no document parameter then the agent metadata is implied")
    void noDocument() {
        JwksUriKey key = JwksUriKey.of(signed("id=\"https://agent.example\";kid=\"k1\""));
        assertNull(key.wellKnown());
        assertDoesNotThrow(key::requireAgentDocument);
    }

    @Test
    @DisplayName("Given well-known and dwk naming different documents then the request is refused as ambiguous (invalid_request)")
    void conflicting() {
        AAuthException e = assertThrows(AAuthException.class,
                () -> JwksUriKey.of(signed("id=\"https://agent.example\";well-known=\"aauth-agent.json\";dwk=\"other\";kid=\"k1\"")));
        assertEquals(AAuthError.INVALID_REQUEST, e.error());
    }

    @Test
    @DisplayName("Given a document other than aauth-agent.json then the signature is refused (invalid_signature)")
    void otherDocument() {
        JwksUriKey key = JwksUriKey.of(signed("id=\"https://agent.example\";well-known=\"aauth-issuer.json\";kid=\"k1\""));
        AAuthException e = assertThrows(AAuthException.class, key::requireAgentDocument);
        assertEquals(AAuthError.INVALID_SIGNATURE, e.error());
    }

    @Test
    @DisplayName("Given no kid then the signature is refused (invalid_signature)")
    void missingKid() {
        AAuthException e = assertThrows(AAuthException.class, () -> JwksUriKey.of(signed("id=\"https://agent.example\";well-known=\"aauth-agent.json\"")));
        assertEquals(AAuthError.INVALID_SIGNATURE, e.error());
    }
}
