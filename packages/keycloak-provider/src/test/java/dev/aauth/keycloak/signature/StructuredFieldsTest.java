package dev.aauth.keycloak.signature;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StructuredFieldsTest {

    @Test
    @DisplayName("Given a Signature-Key dictionary then the scheme token and string parameters are read")
    void signatureKey() throws Exception {
        Map<String, StructuredFields.Member> d = StructuredFields.parseDictionary("sig=jwks_uri;id=\"https://a.example\";kid=\"k1\"");
        StructuredFields.Item item = assertInstanceOf(StructuredFields.Item.class, d.get("sig"));
        assertEquals(new StructuredFields.Token("jwks_uri"), item.value());
        assertEquals("https://a.example", item.params().get("id"));
        assertEquals("k1", item.params().get("kid"));
    }

    @Test
    @DisplayName("Given an inner list then serialization is canonical")
    void innerList() throws Exception {
        Map<String, StructuredFields.Member> d = StructuredFields.parseDictionary("a=(  \"x\"   \"y\" );created=5, b=:AQID:");
        assertEquals("(\"x\" \"y\");created=5", StructuredFields.serializeInnerList((StructuredFields.InnerList) d.get("a")));
        assertEquals(3, ((StructuredFields.ByteSequence) ((StructuredFields.Item) d.get("b")).value()).bytes().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sig=jwt", "sig=(scheme=jwt jwt=\"x\")", "sig=\"unterminated", "sig=jwt,", "sig=:@@:", "a=1234567890123456", "sig=jwt;jwt=\"é\""})
    @DisplayName("Given malformed input then parsing fails instead of returning a partial result")
    void malformed(String input) {
        assertThrows(StructuredFields.ParseException.class, () -> StructuredFields.parseDictionary(input));
    }
}
