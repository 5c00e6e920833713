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
 * The {@code ps} claim of an agent token at the Person Server: a server identifier, or this PS's own
 * issuer, which carries the realm path ({@code {origin}/realms/{realm}}) and is trusted by its exact
 * string so that an agent provider may name this PS.
 */
class AgentTokenPsTest {

    private static final long NOW = 1_000_000;
    private static final String OWN_ISSUER = "http://127.0.0.1:8180/realms/aauth-ps";

    private HttpServer server;
    private String provider;
    private KeyDiscovery discovery;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider = "http://127.0.0.1:" + server.getAddress().getPort();
        respond("/.well-known/aauth-agent.json", "{\"issuer\":\"" + provider + "\",\"jwks_uri\":\"" + provider + "/jwks\"}");
        respond("/jwks", "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"p1\",\"alg\":\"Ed25519\",\"x\":\"" + TestKeys.PROVIDER_X + "\"}]}");
        server.start();
        discovery = new KeyDiscovery(new RemoteJsonFetcher(new AddressGuard(true, false), 2000, () -> NOW));
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

    private String agentToken(String ps) throws Exception {
        String header = "{\"alg\":\"Ed25519\",\"typ\":\"aa-agent+jwt\",\"kid\":\"p1\"}";
        String claims = "{\"iss\":\"" + provider + "\",\"dwk\":\"aauth-agent.json\",\"sub\":\"aauth:assistant@agents.localhost\",\"jti\":\"j1\","
                + "\"iat\":" + NOW + ",\"exp\":" + (NOW + 600) + ",\"ps\":\"" + ps + "\","
                + "\"cnf\":{\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"Ed25519\",\"x\":\"" + TestKeys.AGENT_X + "\"}}}";
        String input = TestKeys.b64url(header.getBytes(StandardCharsets.UTF_8)) + "." + TestKeys.b64url(claims.getBytes(StandardCharsets.UTF_8));
        return input + "." + TestKeys.b64url(TestKeys.sign(TestKeys.ed25519Private(TestKeys.PROVIDER_D), input));
    }

    private AgentTokens.Agent verify(String token) {
        return AgentTokens.verify(token, "agent token", discovery, iss -> true, true, OWN_ISSUER, NOW);
    }

    @Test
    void anAgentTokenNamingThisPersonServersOwnIssuerAsPsIsAccepted() throws Exception {
        assertEquals("aauth:assistant@agents.localhost", verify(agentToken(OWN_ISSUER)).id());
    }

    @Test
    void anAgentTokenNamingAnotherUrlWithAPathAsPsIsRefused() throws Exception {
        PsException e = assertThrows(PsException.class, () -> verify(agentToken(OWN_ISSUER + "-other")));
        assertEquals(AAuthError.INVALID_AGENT_TOKEN, e.error());
    }

    @Test
    void anAgentTokenNamingAServerIdentifierAsPsIsAccepted() throws Exception {
        verify(agentToken("https://ps.example"));
    }
}
