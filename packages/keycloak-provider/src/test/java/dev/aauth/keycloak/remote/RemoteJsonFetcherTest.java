package dev.aauth.keycloak.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.aauth.keycloak.signature.PublicJwk;
import dev.aauth.keycloak.signature.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.aauth.keycloak.protocol.AAuthLoginProtocolFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real HTTP over loopback (no mocks): fetch limits, cache, and the guard's loopback switch. */
class RemoteJsonFetcherTest {

    private HttpServer server;
    private String base;
    private final AtomicInteger jwksHits = new AtomicInteger();
    private final AtomicInteger slowHits = new AtomicInteger();
    private final AtomicInteger missingHits = new AtomicInteger();
    private ExecutorService handlers;
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
        server.createContext("/drip", ex -> {
            // One byte at a time, each well inside the per-read timeout: only a deadline ends it.
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write("{\"pad\":\"".getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < 2000; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(20);
                }
            } catch (IOException | InterruptedException gone) {
                // the client gave up
            }
        });
        server.createContext("/slow", ex -> {
            slowHits.incrementAndGet();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] b = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/missing", ex -> {
            missingHits.incrementAndGet();
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
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
        handlers.shutdownNow();
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
            assertTrue(e.detail().contains("not allowed"), e.detail());
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

    @Test
    @DisplayName("Given a drip-fed document then the fetch ends with the deadline error, whatever the per-read timeout")
    void dripFedDocumentHitsTheOverallDeadline() throws Exception {
        try (RemoteJsonFetcher f = new RemoteJsonFetcher(new AddressGuard(true), 400, clock::get)) {
            RemoteJsonFetcher.FetchException e = assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/drip", false));
            assertTrue(e.detail().contains("deadline"), e.detail());
        }
    }

    @Test
    @DisplayName("Given concurrent fetches of one URL then they share one fetch (single flight)")
    void concurrentFetchesShareOne() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (RemoteJsonFetcher f = fetcher(true)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<JsonNode>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return f.get(base + "/slow", false);
                }));
            }
            go.countDown();
            for (Future<JsonNode> r : results) {
                assertEquals(1, r.get().get("n").asInt());
            }
            assertEquals(1, slowHits.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("Given a flood of distinct URLs then the cache stays within its entry bound")
    void floodOfDistinctUrlsStaysBounded() throws Exception {
        try (RemoteJsonFetcher f = new RemoteJsonFetcher(new AddressGuard(true), 2000, clock::get, 5)) {
            for (int i = 0; i < 40; i++) {
                f.get(base + "/jwks?agent=" + i, false);
                assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/missing?agent=" + System.nanoTime(), false));
            }
            assertTrue(f.cacheSize() <= 5, "cache holds " + f.cacheSize());
        }
    }

    @Test
    @DisplayName("Given a failed fetch then it is remembered briefly and not repeated, then retried")
    void failureIsRememberedBriefly() throws Exception {
        try (RemoteJsonFetcher f = fetcher(true)) {
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/missing", false));
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/missing", false));
            assertEquals(1, missingHits.get());
            clock.addAndGet(RemoteJsonFetcher.FAILURE_CACHE_SECONDS);
            assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/missing", false));
            assertEquals(2, missingHits.get());
        }
    }

    @Test
    @DisplayName("Given a closed port and a 404 then the caller-facing message is the same fixed sentence; the detail differs")
    void failureMessagesRevealNothing() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (RemoteJsonFetcher f = fetcher(true)) {
            RemoteJsonFetcher.FetchException closed = assertThrows(RemoteJsonFetcher.FetchException.class,
                    () -> f.get("http://127.0.0.1:" + closedPort + "/.well-known/aauth-agent.json", false));
            RemoteJsonFetcher.FetchException missing = assertThrows(RemoteJsonFetcher.FetchException.class, () -> f.get(base + "/missing", false));
            assertEquals(closed.getMessage(), missing.getMessage());
            for (String leak : List.of(String.valueOf(closedPort), "127.0.0.1", "404", "HTTP", "refused")) {
                assertFalse(closed.getMessage().contains(leak), leak);
            }
            assertTrue(missing.detail().contains("404"), missing.detail());
        }
    }

    @Test
    @DisplayName("Given two realms then each has its own fetcher (connection pool and cache); one realm reuses its own")
    void fetchersArePerRealm() {
        AAuthLoginProtocolFactory factory = new AAuthLoginProtocolFactory();
        try {
            assertNotSame(factory.discovery("realm-a", true, false).fetcher(), factory.discovery("realm-b", true, false).fetcher());
            assertSame(factory.discovery("realm-a", true, false).fetcher(), factory.discovery("realm-a", true, false).fetcher());
            assertNotSame(factory.discovery("realm-a", true, false).fetcher(), factory.discovery("realm-a", false, false).fetcher());
        } finally {
            factory.close();
        }
    }
}
