package dev.aauth.keycloak.signature;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Required components per realm policy (c465b2d §Covered Components, §Error Responses {@code required_components}). */
class SignatureComponentsTest {

    private static final List<String> FOUR = List.of("@method", "@authority", "@path", "signature-key");
    private static final byte[] BODY = "{\"resource_token\":\"x\"}".getBytes(StandardCharsets.UTF_8);

    private static SignedRequest signedOver(List<String> components) {
        return new SignedRequest("sig", components, 100, "", new byte[64], "hwk", Map.of(), "");
    }

    @Test
    @DisplayName("Given the strict policy, a POST with a body signed over the draft four is refused naming required_components")
    void strictRefusesTheFourWithABody() {
        TestRequest request = new TestRequest("POST", "https", "as.example", "/token", null);
        AAuthException e = assertThrows(AAuthException.class,
                () -> HttpSignatureVerifier.checkStructure(signedOver(FOUR), request, BODY, 100, 60, SignatureComponents.STRICT));
        assertEquals(AAuthError.INVALID_SIGNATURE, e.error());
        assertEquals(List.of("@method", "@authority", "@path", "signature-key", "content-type", "content-digest"),
                e.extras().get(SignatureComponents.ERROR_MEMBER));
    }

    @Test
    @DisplayName("Given the strict policy, a GET with a query signed over the draft four is refused with @query required")
    void strictRefusesTheFourWithAQuery() {
        TestRequest request = new TestRequest("GET", "https", "as.example", "/pending/1", "a=1");
        AAuthException e = assertThrows(AAuthException.class,
                () -> HttpSignatureVerifier.checkStructure(signedOver(FOUR), request, null, 100, 60, SignatureComponents.STRICT));
        assertEquals(List.of("@method", "@authority", "@path", "signature-key", "@query"), e.extras().get(SignatureComponents.ERROR_MEMBER));
    }

    @Test
    @DisplayName("Given draft-minimum, a POST with a body and a GET with a query signed over the draft four pass the structure check")
    void draftMinimumAcceptsTheFour() {
        TestRequest post = new TestRequest("POST", "https", "as.example", "/token", null);
        assertDoesNotThrow(() -> HttpSignatureVerifier.checkStructure(signedOver(FOUR), post, BODY, 100, 60, SignatureComponents.DRAFT_MINIMUM));
        TestRequest get = new TestRequest("GET", "https", "as.example", "/pending/1", "a=1");
        assertDoesNotThrow(() -> HttpSignatureVerifier.checkStructure(signedOver(FOUR), get, null, 100, 60, SignatureComponents.DRAFT_MINIMUM));
    }

    @Test
    @DisplayName("The realm attribute names the policy; an unknown value is null (the settings keep strict); metadata lists strict's three")
    void attributeValues() {
        assertEquals(SignatureComponents.STRICT, SignatureComponents.fromAttribute(null));
        assertEquals(SignatureComponents.DRAFT_MINIMUM, SignatureComponents.fromAttribute("draft-minimum"));
        assertNull(SignatureComponents.fromAttribute("lenient"));
        assertEquals(List.of("@query", "content-type", "content-digest"), SignatureComponents.STRICT.published());
        assertEquals(List.of(), SignatureComponents.DRAFT_MINIMUM.published());
    }
}
