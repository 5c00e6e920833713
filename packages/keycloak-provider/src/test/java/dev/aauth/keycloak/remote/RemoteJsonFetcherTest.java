package dev.aauth.keycloak.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.aauth.keycloak.signature.PublicJwk;
import dev.aauth.keycloak.signature.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real HTTP over loopback (no mocks): fetch limits, cache, and the guard's loopback switch. */
class RemoteJsonFetcherTest {

    private HttpServer server;
    private String base;
    private final AtomicInteger jwksHits = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong(1_000_000);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        respond("/.well-known/aauth-agent.json", "{\"agent\":\"" + base + "\",\"jwks_uri\":\"" + base + "/jwks\"}");
        server.createContext("/jwks", ex -> {
            jwksHits.incrementAndGet();
            byte[] b = ("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k1\",\"x\":\"" + TestKeys.AGENT_X + "\"}]}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        respond("/big", "{\"x\":\"" + "a".repeat(RemoteJsonFetcher.MAX_BYTES) + "\"}");
        respond("/array", "[1,2]");
        server.createContext("/redirect", ex -> {
            ex.getResponseHeaders().add("Location", base + "/jwks");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.start();
    }

    private void respond(String path, String body) {
        server.createContext(path, ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private RemoteJsonFetcher fetcher(boolean loopback) {
        return new RemoteJsonFetcher(new AddressGuard(loopback), 2000, clock::get);
    }

    @Test
    @DisplayName("Given loopback allowed then discovery finds the key by kid, and the JWKS is cached")
    void discoveryAndCache() throws Exception {
        try (RemoteJsonFetcher f = fetcher(true)) {
            PublicJwk key = new KeyDiscovery(f).findKey(base, "aauth-agent.json", "agent", "k1");
            assertEquals(TestKeys.AGENT_JKT, key.thumbprint());
            new KeyDiscovery(f).findKey(base, "aauth-agent.json", "agent", "k1");
            assertEquals(1, jwksHits.get());
        }
    }

    @Test
    @DisplayName("Given an unknown kid then one forced refresh happens, then the cool-down holds")
    void unknownKid() throws Exception {
        try (RemoteJsonFetcher f = fetcher(true)) {
            KeyDiscovery d = new KeyDiscovery(f);
            d.findKey(base, "aauth-agent.json", "agent", "k1");
            clock.addAndGet(RemoteJsonFetcher.REFRESH_COOLDOWN_SECONDS + 1);
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> d.findKey(base, "aauth-agent.json", "agent", "k2"));
            assertEquals(2, jwksHits.get());
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> d.findKey(base, "aauth-agent.json", "agent", "k2"));
            assertEquals(2, jwksHits.get());
        }
    }

    @Test
    @DisplayName("Given loopback blocked by configuration then the same server is refused before connecting")
    void loopbackBlocked() throws Exception {
        try (RemoteJsonFetcher f = fetcher(false)) {
            RemoteJsonFetcher.FetchException e = assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/jwks", false));
            assertTrue(e.getMessage().contains("not allowed"), e.getMessage());
            assertEquals(0, jwksHits.get());
        }
    }

    @Test
    @DisplayName("Given oversized, non-object or redirecting answers then the fetch fails cleanly")
    void limits() throws Exception {
        try (RemoteJsonFetcher f = fetcher(true)) {
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/big", false));
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/array", false));
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/redirect", false));
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/missing", false));
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get("ftp://127.0.0.1/x", false));
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get("http://user@127.0.0.1/x", false));
            JsonNode ok = f.get(base + "/jwks", false);
            assertTrue(ok.has("keys"));
        }
    }
}
