package dev.aauth.keycloak.signature;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9421 B.2.6 and the wire notes §9.2 vectors V1 and V3, byte for byte. */
class SignatureVectorsTest {

    static final String V3_AGENT_TOKEN = "eyJhbGciOiJFZERTQSIsInR5cCI6ImFnZW50K2p3dCIsImtpZCI6ImFwLWtleS0xIn0."
            + "eyJpc3MiOiJodHRwczovL2FnZW50LmV4YW1wbGUiLCJzdWIiOiJkZWxlZ2F0ZS0wMDAxIiwianRpIjoiYXQtMDAwMSIsImNuZiI6eyJqd2siOnsia3R5IjoiT0tQIiwiY3J2IjoiRWQyNTUxOSIsIngiOiJKclFMajVQXzg5aVhFUzktdkZnckl5MjljbEY5Q0Nfb1BQc3czYzVEMGJzIn19LCJpYXQiOjE3MzAyMTcwMDAsImV4cCI6MTczMDIyMDYwMH0."
            + "UeHpHYIG9fE2UsdA-k9XXqnFV-frDef7RohhvOHSfkl3O0t9DM0QFPxU_28Vl07F6VWxIZjX7mW4EdMDzss3Dw";

    @Nested
    @DisplayName("RFC 9421 B.2.6 (Ed25519)")
    class Rfc9421B26 {
        final String input = "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
        final String expectedSig = "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==";
        final String expectedBase = String.join("\n",
                "\"date\": Tue, 20 Apr 2021 02:07:55 GMT",
                "\"@method\": POST",
                "\"@path\": /foo",
                "\"@authority\": example.com",
                "\"content-type\": application/json",
                "\"content-length\": 18",
                "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"");

        TestRequest request() {
            return new TestRequest("POST", "https", "example.com", "/foo", "param=Value&Pet=dog")
                    .header("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
                    .header("Content-Type", "application/json")
                    .header("Content-Length", "18");
        }

        @Test
        @DisplayName("Given the B.2.6 request then the signature base matches the RFC text")
        void base() throws Exception {
            StructuredFields.InnerList list = (StructuredFields.InnerList) StructuredFields.parseDictionary(input).get("sig-b26");
            List<String> components = list.items().stream().map(i -> (String) i.value()).toList();
            String base = SignatureBase.build(request(), components, StructuredFields.serializeInnerList(list));
            assertEquals(expectedBase, base);
        }

        @Test
        @DisplayName("Given the B.1.4 private key then signing the base yields the RFC signature, and it verifies")
        void signAndVerify() throws Exception {
            byte[] sig = TestKeys.sign(TestKeys.ed25519Private(TestKeys.AGENT_D), expectedBase);
            assertEquals(expectedSig, Base64.getEncoder().encodeToString(sig));
            PublicJwk key = PublicJwk.parse(TestKeys.okp(TestKeys.AGENT_X));
            assertTrue(SignatureAlgorithms.verifyHttp(key, expectedBase.getBytes(StandardCharsets.UTF_8), sig));
        }
    }

    @Nested
    @DisplayName("V1: hwk GET")
    class V1 {
        final String sigKey = "sig=hwk;kty=\"OKP\";crv=\"Ed25519\";x=\"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs\"";
        final String expectedSig = "iY57rZwXhwZTWD7C6Ywzv+BOfev9v/Vks0SzQKZDHK9hgST7AdgTnMjfkh7jrJarrNgaHkdCAt/6X/WvZTaSBg==";

        TestRequest request() {
            return new TestRequest("GET", "https", "resource.example", "/api/documents", null)
                    .header("Signature-Key", sigKey)
                    .header("Signature-Input", "sig=(\"@method\" \"@authority\" \"@path\" \"signature-key\");created=1730217600")
                    .header("Signature", "sig=:" + expectedSig + ":");
        }

        @Test
        @DisplayName("Given V1 then parsing, the base and the signature match byte for byte")
        void vector() throws Exception {
            SignedRequest signed = SignedRequest.parse(request());
            assertEquals("sig", signed.label());
            assertEquals("hwk", signed.scheme());
            assertEquals(TestKeys.AGENT_X, signed.schemeParam("x"));
            String base = SignatureBase.build(request(), signed.components(), signed.signatureParams());
            assertEquals(String.join("\n",
                    "\"@method\": GET",
                    "\"@authority\": resource.example",
                    "\"@path\": /api/documents",
                    "\"signature-key\": " + sigKey,
                    "\"@signature-params\": (\"@method\" \"@authority\" \"@path\" \"signature-key\");created=1730217600"), base);
            byte[] mine = TestKeys.sign(TestKeys.ed25519Private(TestKeys.AGENT_D), base);
            assertArrayEquals(Base64.getDecoder().decode(expectedSig), mine);
            PublicJwk key = PublicJwk.parse(Map.of("kty", signed.schemeParam("kty"), "crv", signed.schemeParam("crv"), "x", signed.schemeParam("x")));
            HttpSignatureVerifier.checkStructure(signed, request(), null, 1730217600L + 60, 60, SignatureComponents.STRICT);
            HttpSignatureVerifier.verify(signed, request(), key);
        }

        @Test
        @DisplayName("Given V1 with one base byte changed then verification fails with invalid_signature")
        void flipped() {
            TestRequest other = new TestRequest("GET", "https", "resource.example", "/api/document", null)
                    .header("Signature-Key", sigKey)
                    .header("Signature-Input", "sig=(\"@method\" \"@authority\" \"@path\" \"signature-key\");created=1730217600")
                    .header("Signature", "sig=:" + expectedSig + ":");
            SignedRequest signed = SignedRequest.parse(other);
            AAuthException e = assertThrows(AAuthException.class,
                    () -> HttpSignatureVerifier.verify(signed, other, PublicJwk.parse(TestKeys.okp(TestKeys.AGENT_X))));
            assertEquals(AAuthError.INVALID_SIGNATURE, e.error());
        }

        @Test
        @DisplayName("Given created 61 s away then the window check refuses")
        void window() {
            SignedRequest signed = SignedRequest.parse(request());
            assertThrows(AAuthException.class, () -> HttpSignatureVerifier.checkStructure(signed, request(), null, 1730217600L + 61, 60, SignatureComponents.STRICT));
            assertThrows(AAuthException.class, () -> HttpSignatureVerifier.checkStructure(signed, request(), null, 1730217600L - 61, 60, SignatureComponents.STRICT));
        }
    }

    @Nested
    @DisplayName("V3: 2026-03 token request with an agent token")
    class V3 {
        final String expectedSig = "q0vzGY0+wePL22p1EHvTJTKxVGFu9WnB8RzJJY+Zpa1ov+7zZYEivJbWb/oDmeBVKxn5Ghot9akBJsddNM3TAw==";

        TestRequest request(String label) {
            return new TestRequest("POST", "https", "auth.example", "/token", null)
                    .header("Signature-Key", "sig=jwt;jwt=\"" + V3_AGENT_TOKEN + "\"")
                    .header("Signature-Input", label + "=(\"@method\" \"@authority\" \"@path\" \"signature-key\");created=1730217600")
                    .header("Signature", label + "=:" + expectedSig + ":");
        }

        @Test
        @DisplayName("Given V3 then the agent token and the request signature reproduce byte for byte")
        void vector() throws Exception {
            // The agent token itself: RFC 8037 A.1 key over the exact header/payload bytes.
            int dot = V3_AGENT_TOKEN.lastIndexOf('.');
            byte[] jwtSig = TestKeys.sign(TestKeys.ed25519Private(TestKeys.PROVIDER_D), V3_AGENT_TOKEN.substring(0, dot));
            assertEquals(V3_AGENT_TOKEN.substring(dot + 1), TestKeys.b64url(jwtSig));

            SignedRequest signed = SignedRequest.parse(request("sig"));
            assertEquals("jwt", signed.scheme());
            assertEquals(V3_AGENT_TOKEN, signed.schemeParam("jwt"));
            String base = SignatureBase.build(request("sig"), signed.components(), signed.signatureParams());
            byte[] mine = TestKeys.sign(TestKeys.ed25519Private(TestKeys.AGENT_D), base);
            assertEquals(expectedSig, Base64.getEncoder().encodeToString(mine));
            HttpSignatureVerifier.verify(signed, request("sig"), PublicJwk.parse(TestKeys.okp(TestKeys.AGENT_X)));
        }

        @Test
        @DisplayName("Given a Signature-Input label other than the Signature-Key label then parsing refuses")
        void labelMismatch() {
            AAuthException e = assertThrows(AAuthException.class, () -> SignedRequest.parse(request("sig1")));
            assertEquals(AAuthError.INVALID_SIGNATURE, e.error());
        }

        @Test
        @DisplayName("Given a keyid parameter then parsing refuses: only created is accepted")
        void extraParam() {
            TestRequest r = new TestRequest("POST", "https", "auth.example", "/token", null)
                    .header("Signature-Key", "sig=jwt;jwt=\"x\"")
                    .header("Signature-Input", "sig=(\"@method\" \"@authority\" \"@path\" \"signature-key\");created=1;keyid=\"k\"")
                    .header("Signature", "sig=:AAAA:");
            assertThrows(AAuthException.class, () -> SignedRequest.parse(r));
        }

        @Test
        @DisplayName("Given a signature without signature-key coverage then the structure check refuses")
        void missingComponent() {
            TestRequest r = new TestRequest("POST", "https", "auth.example", "/token", null)
                    .header("Signature-Key", "sig=jwt;jwt=\"x\"")
                    .header("Signature-Input", "sig=(\"@method\" \"@authority\" \"@path\");created=1730217600")
                    .header("Signature", "sig=:AAAA:");
            SignedRequest s = SignedRequest.parse(r);
            assertThrows(AAuthException.class, () -> HttpSignatureVerifier.checkStructure(s, r, null, 1730217600L, 60, SignatureComponents.STRICT));
        }
    }

    @Nested
    @DisplayName("RFC 7638 thumbprints through Keycloak's JWKSUtils")
    class Thumbprints {
        @Test
        @DisplayName("Given the RFC 7638 §3.1 RSA key then the thumbprint is the RFC value")
        void rsa() {
            String n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
            PublicJwk k = PublicJwk.parse(Map.of("kty", "RSA", "n", n, "e", "AQAB", "alg", "RS256", "kid", "2011-04-29"));
            assertEquals("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", k.thumbprint());
        }

        @Test
        @DisplayName("Given the two Ed25519 test keys then the thumbprints match the wire notes")
        void okp() {
            assertEquals(TestKeys.AGENT_JKT, PublicJwk.parse(TestKeys.okp(TestKeys.AGENT_X)).thumbprint());
            assertEquals(TestKeys.PROVIDER_JKT, PublicJwk.parse(TestKeys.okp(TestKeys.PROVIDER_X)).thumbprint());
        }
    }
}
