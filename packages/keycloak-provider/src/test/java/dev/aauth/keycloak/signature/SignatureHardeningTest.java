package dev.aauth.keycloak.signature;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refusals from the security review: malleable ECDSA signatures (high S), RSA keys under 2048 bits,
 * a label named twice, and request paths a router would read differently from {@code @path}.
 */
class SignatureHardeningTest {

    private static final BigInteger P256_N = new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    private static final byte[] BASE = "\"@method\": POST\n\"@signature-params\": (\"@method\");created=1".getBytes(StandardCharsets.UTF_8);

    private static byte[] scalar(BigInteger n) {
        byte[] raw = n.toByteArray();
        byte[] out = new byte[32];
        int len = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - len, out, 32 - len, len);
        return out;
    }

    private static PublicJwk jwk(RSAPublicKey key) {
        return PublicJwk.parse(Map.of("kty", "RSA", "n", TestKeys.b64url(key.getModulus().toByteArray()), "e", TestKeys.b64url(key.getPublicExponent().toByteArray())));
    }

    @Test
    @DisplayName("Given a valid P-256 signature then both (r, s) and (r, n−s) verify in JCA, and only the low-S one verifies here")
    void highS() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = gen.generateKeyPair();
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(pair.getPrivate());
        signer.update(BASE);
        byte[] sig = signer.sign();
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        BigInteger low = s.min(P256_N.subtract(s));
        byte[] r = Arrays.copyOfRange(sig, 0, 32);
        byte[] lowSig = concat(r, scalar(low));
        byte[] highSig = concat(r, scalar(P256_N.subtract(low)));
        ECPublicKey pub = (ECPublicKey) pair.getPublic();
        PublicJwk key = PublicJwk.parse(Map.of("kty", "EC", "crv", "P-256",
                "x", TestKeys.b64url(scalar(pub.getW().getAffineX())), "y", TestKeys.b64url(scalar(pub.getW().getAffineY()))));
        for (byte[] each : List.of(lowSig, highSig)) {
            Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
            verifier.initVerify(pair.getPublic());
            verifier.update(BASE);
            assertTrue(verifier.verify(each)); // the JCA accepts both encodings
        }
        assertTrue(SignatureAlgorithms.verifyHttp(key, BASE, lowSig));
        assertFalse(SignatureAlgorithms.verifyHttp(key, BASE, highSig));
        assertTrue(SignatureAlgorithms.isHighS("P-256", highSig));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    @DisplayName("Given an RSA key under 2048 bits then an HTTP signature by it is refused as invalid_signature, and JWS by it fails")
    void weakRsa() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(1024);
        KeyPair pair = gen.generateKeyPair();
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(pair.getPrivate());
        signer.update(BASE);
        byte[] sig = signer.sign();
        PublicJwk key = jwk((RSAPublicKey) pair.getPublic());
        TestRequest request = new TestRequest("POST", "https", "as.example", "/token", null);
        SignedRequest signed = new SignedRequest("sig", List.of("@method"), 1, "(\"@method\");created=1", sig, "hwk", Map.of(), "");
        AAuthException e = assertThrows(AAuthException.class, () -> HttpSignatureVerifier.verify(signed, request, key));
        assertEquals(AAuthError.INVALID_SIGNATURE, e.error());
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
        assertFalse(SignatureAlgorithms.verifyJws("RS256", key, BASE, sig));
    }

    @Test
    @DisplayName("Given the same label twice in Signature then parsing refuses it instead of letting the last one win")
    void duplicateLabel() {
        TestRequest request = new TestRequest("GET", "https", "as.example", "/token", null)
                .header("Signature-Key", "sig=hwk;kty=\"OKP\";crv=\"Ed25519\";x=\"" + TestKeys.AGENT_X + "\"")
                .header("Signature-Input", "sig=(\"@method\" \"@authority\" \"@path\" \"signature-key\");created=1")
                .header("Signature", "sig=:AAAA:, sig=:BBBB:");
        AAuthException e = assertThrows(AAuthException.class, () -> SignedRequest.parse(request));
        assertEquals(AAuthError.INVALID_SIGNATURE, e.error());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/realms/a/x/../protocol/aauth/token", "/realms/a/%2e%2e/protocol/aauth/token", "/realms/a/.%2E/token",
        "/realms/a/./token", "//realms/a/protocol/aauth/token", "/realms/a\\..\\token"})
    @DisplayName("Given a path with dot-segments, empty segments or backslashes then the structure check refuses it (@path is the raw path)")
    void nonNormalPath(String path) {
        TestRequest request = new TestRequest("GET", "https", "as.example", path, null);
        SignedRequest signed = new SignedRequest("sig", List.of("@method", "@authority", "@path", "signature-key"), 1,
                "(\"@method\" \"@authority\" \"@path\" \"signature-key\");created=1", new byte[64], "hwk", Map.of(), "");
        AAuthException e = assertThrows(AAuthException.class, () -> HttpSignatureVerifier.checkStructure(signed, request, null, 1, 60, SignatureComponents.STRICT));
        assertEquals(AAuthError.INVALID_SIGNATURE, e.error());
        assertTrue(e.getMessage().contains("path"), e.getMessage());
    }
}
