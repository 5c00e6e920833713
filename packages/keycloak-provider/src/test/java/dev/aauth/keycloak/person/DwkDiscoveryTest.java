package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;

import com.sun.net.httpserver.HttpServer;
import dev.aauth.keycloak.remote.AddressGuard;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.remote.RemoteJsonFetcher;
import dev.aauth.keycloak.signature.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * dwk discovery of the current profile over real loopback HTTP (draft-hardt-oauth-aauth-protocol §JWKS
 * Discovery and Caching, §Metadata Documents): the metadata's {@code issuer} byte-equal to the token's
 * {@code iss}, and only a key carrying the token's fully specified {@code alg} is used.
 */
class DwkDiscoveryTest {

    private HttpServer server;
    private String base;
    private KeyDiscovery discovery;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        respond("/good/.well-known/aauth-agent.json", "{\"issuer\":\"" + base + "/good\",\"jwks_uri\":\"" + base + "/jwks\"}");
        respond("/other/.well-known/aauth-agent.json", "{\"issuer\":\"https://agent.example\",\"jwks_uri\":\"" + base + "/jwks\"}");
        respond("/none/.well-known/aauth-agent.json", "{\"jwks_uri\":\"" + base + "/jwks\"}");
        respond("/jwks", "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k1\",\"alg\":\"Ed25519\",\"x\":\"" + TestKeys.AGENT_X
                + "\"},{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k2\",\"alg\":\"EdDSA\",\"x\":\"" + TestKeys.AGENT_X + "\"}]}");
        server.start();
        discovery = new KeyDiscovery(new RemoteJsonFetcher(new AddressGuard(true, false), 2000, () -> 1_000_000));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void respond(String path, String json) {
        server.createContext(path, ex -> {
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
    }

    @Test
    void theKeyNamedByKidWithTheTokensAlgIsFound() {
        assertEquals(TestKeys.AGENT_JKT, DwkJwt.discover(base + "/good", "aauth-agent.json", "k1", "Ed25519", "agent token",
                AAuthError.INVALID_AGENT_TOKEN, discovery, false).thumbprint());
    }

    @Test
    void metadataNamingAnotherIssuerIsIssuerMismatch() {
        PsException e = assertThrows(PsException.class, () -> DwkJwt.discover(base + "/other", "aauth-agent.json", "k1", "Ed25519",
                "agent token", AAuthError.INVALID_AGENT_TOKEN, discovery, false));
        assertEquals("error=issuer_mismatch", Problem.signatureErrorHeader(PsException.agentToken(e)));
    }

    @Test
    void metadataWithoutIssuerIsIssuerMissing() {
        PsException e = assertThrows(PsException.class, () -> DwkJwt.discover(base + "/none", "aauth-agent.json", "k1", "Ed25519",
                "agent token", AAuthError.INVALID_AGENT_TOKEN, discovery, false));
        assertEquals("error=issuer_missing", Problem.signatureErrorHeader(PsException.agentToken(e)));
    }

    @Test
    void aKeyPublishedWithThePolymorphicEdDsaIsNotUsed() {
        PsException e = assertThrows(PsException.class, () -> DwkJwt.discover(base + "/good", "aauth-agent.json", "k2", "Ed25519",
                "agent token", AAuthError.INVALID_AGENT_TOKEN, discovery, false));
        assertEquals(AAuthError.INVALID_AGENT_TOKEN, e.error());
        assertEquals("error=invalid_jwt", Problem.signatureErrorHeader(PsException.agentToken(e)));
    }
}
