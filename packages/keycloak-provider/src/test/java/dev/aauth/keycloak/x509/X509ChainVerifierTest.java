package dev.aauth.keycloak.x509;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The x509 chain rules on the conformance suite's test-only fixtures (conformance/fixtures/x509,
 * made by its make.sh): leaf + intermediate to root.pem, and the same leaf key under an expired
 * certificate. The token endpoint cases themselves run in the conformance suite.
 */
class X509ChainVerifierTest {

    private static final Path FIXTURES = Path.of("..", "..", "conformance", "fixtures", "x509");
    private static final long NOW = System.currentTimeMillis() / 1000;

    private static String read(String name) throws Exception {
        return Files.readString(FIXTURES.resolve(name), StandardCharsets.US_ASCII);
    }

    private static byte[] x5t(String pem) throws Exception {
        X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        return MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded());
    }

    private static AAuthException refused(String pem, byte[] x5t, Set<TrustAnchor> anchors) {
        AAuthException e = assertThrows(AAuthException.class, () -> X509ChainVerifier.verify(pem, x5t, anchors, NOW));
        assertEquals(AAuthError.INVALID_SIGNATURE, e.error());
        return e;
    }

    @Test
    @DisplayName("a chain to the anchor yields the leaf key and its URI subjectAltName")
    void validChain() throws Exception {
        String chain = read("chain.pem");
        X509ChainVerifier.Certified certified = X509ChainVerifier.verify(chain, x5t(chain), X509ChainVerifier.parseAnchors(read("root.pem")), NOW);
        assertEquals(List.of("http://127.0.0.1:19102"), certified.uris());
        assertEquals("EC", certified.key().kty());
    }

    @Test
    @DisplayName("an expired leaf is refused with a sentence naming it")
    void expiredLeaf() throws Exception {
        String chain = read("expired-chain.pem");
        AAuthException e = refused(chain, x5t(chain), X509ChainVerifier.parseAnchors(read("root.pem")));
        assertTrue(e.getMessage().contains("The leaf certificate expired"), e.getMessage());
    }

    @Test
    @DisplayName("a chain to an anchor that is not configured is refused")
    void wrongAnchor() throws Exception {
        String chain = read("chain.pem");
        // The leaf's own certificate as the only anchor: it issued nothing in this chain.
        AAuthException e = refused(chain, x5t(chain), X509ChainVerifier.parseAnchors(read("expired-chain.pem").split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"));
        assertTrue(e.getMessage().contains("trust anchor"), e.getMessage());
    }

    @Test
    @DisplayName("x5t that does not name the leaf is refused")
    void thumbprintMismatch() throws Exception {
        AAuthException e = refused(read("chain.pem"), new byte[32], X509ChainVerifier.parseAnchors(read("root.pem")));
        assertTrue(e.getMessage().contains("x5t"), e.getMessage());
    }

    @Test
    @DisplayName("no anchors configured: the scheme is refused")
    void noAnchors() throws Exception {
        String chain = read("chain.pem");
        AAuthException e = refused(chain, x5t(chain), Set.of());
        assertTrue(e.getMessage().contains("no X.509 trust anchors are configured"), e.getMessage());
    }
}
