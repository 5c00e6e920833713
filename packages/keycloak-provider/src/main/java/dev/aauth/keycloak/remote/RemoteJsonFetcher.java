package dev.aauth.keycloak.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.http.HttpEntity;
import org.apache.http.HttpResponse;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.conn.DnsResolver;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.jboss.logging.Logger;
import org.keycloak.util.JsonSerialization;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Fetches JSON documents (metadata and JWKS) with the limits remote key discovery needs
 * (wire notes §2.4; keycloak-extension-notes §1.13 "metadata and JWKS are fetched on every request"):
 * an overall deadline per fetch (besides the connect and per-read timeouts, so a drip-fed document
 * cannot hold a request), a response size cap, no redirects, the {@link AddressGuard} applied at DNS
 * resolution time (so the checked address is the one connected to), one fetch in flight per URL
 * (concurrent callers share it), and a cache bounded by entries and bytes (least recently used goes
 * first) that also remembers failures briefly, with a short cool-down for forced refreshes (an
 * unknown {@code kid} may mean a key rotation, but must not let a caller make us fetch on every
 * request).
 *
 * <p>The URLs come from unauthenticated callers, so a failure tells the caller one fixed sentence
 * per {@link Reason}; what the fetch found (addresses, statuses, socket errors) goes to the log.
 *
 * <p>The protocol factory keeps one instance per realm and address-guard mode, so a realm's
 * callers cannot exhaust another realm's connection pool or evict its cache.
 */
public final class RemoteJsonFetcher implements Closeable {

    public static final int MAX_BYTES = 256 * 1024;
    public static final long CACHE_SECONDS = 300;
    public static final long FAILURE_CACHE_SECONDS = 10;
    public static final long REFRESH_COOLDOWN_SECONDS = 10;
    public static final int MAX_ENTRIES = 1000;
    public static final long MAX_CACHE_BYTES = 16L * 1024 * 1024;
    /** A remembered failure costs about this much besides its URL. */
    private static final long FAILURE_BYTES = 256;

    private static final Logger LOG = Logger.getLogger(RemoteJsonFetcher.class);

    private final AddressGuard guard;
    private final CloseableHttpClient client;
    private final LongSupplier clock;
    private final int deadlineMillis;
    private final int maxEntries;
    private final ScheduledExecutorService deadlines;
    /** Access-ordered: iteration starts at the least recently used entry. Guarded by itself. */
    private final LinkedHashMap<String, Entry> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long cacheBytes;
    private final Map<String, CompletableFuture<JsonNode>> inFlight = new ConcurrentHashMap<>();

    private record Entry(JsonNode document, FetchException failure, long fetchedAt, long bytes) {
    }

    private record Fetched(JsonNode document, long bytes) {
    }

    /** What a caller may be told about a failed fetch: one fixed sentence each. */
    public enum Reason {
        BAD_URL("The metadata URL must be an absolute https URL."),
        UNAVAILABLE("Metadata could not be fetched."),
        INVALID_DOCUMENT("The metadata is not a valid document."),
        UNKNOWN_KEY("No published key matches.");

        private final String sentence;

        Reason(String sentence) {
            this.sentence = sentence;
        }
    }

    /**
     * Failure to obtain a usable document. {@link #getMessage()} is the reason's fixed sentence, safe
     * to show a caller; {@link #detail()} says what the fetch found and is logged where it arises.
     */
    public static final class FetchException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Reason reason;
        private final String detail;

        public FetchException(Reason reason, String detail) {
            super(reason.sentence);
            this.reason = reason;
            this.detail = detail;
            LOG.infof("AAuth remote fetch refused: %s", detail);
        }

        public Reason reason() {
            return reason;
        }

        public String detail() {
            return detail;
        }
    }

    public RemoteJsonFetcher(AddressGuard guard, int timeoutMillis, LongSupplier clockSeconds) {
        this(guard, timeoutMillis, clockSeconds, MAX_ENTRIES);
    }

    RemoteJsonFetcher(AddressGuard guard, int timeoutMillis, LongSupplier clockSeconds, int maxEntries) {
        this.guard = guard;
        this.clock = clockSeconds;
        this.deadlineMillis = timeoutMillis;
        this.maxEntries = maxEntries;
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aauth-fetch-deadline");
            t.setDaemon(true);
            return t;
        });
        DnsResolver resolver = guard::resolve;
        RequestConfig config = RequestConfig.custom()
                .setConnectTimeout(timeoutMillis)
                .setConnectionRequestTimeout(timeoutMillis)
                .setSocketTimeout(timeoutMillis)
                .setRedirectsEnabled(false)
                .build();
        this.client = HttpClientBuilder.create()
                .setDnsResolver(resolver)
                .setDefaultRequestConfig(config)
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .setMaxConnTotal(20)
                .setMaxConnPerRoute(4)
                .setUserAgent("aauth-keycloak-provider")
                .build();
    }

    public AddressGuard guard() {
        return guard;
    }

    /** Cached documents and failures now held (bounded by the entry and byte limits). */
    public int cacheSize() {
        synchronized (cache) {
            return cache.size();
        }
    }

    /**
     * Validates a URL for fetching: https, or http to a loopback address in loopback mode; no user info
     * or fragment.
     */
    public URI checkUrl(String url) throws FetchException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new FetchException(Reason.BAD_URL, "'" + url + "' is not a valid URL.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new FetchException(Reason.BAD_URL, "'" + url + "' must be an absolute URL with a host and without user info or fragment.");
        }
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new FetchException(Reason.BAD_URL, "'" + url + "' must use https.");
        }
        InetAddress[] addresses;
        try {
            addresses = guard.resolve(uri.getHost());
        } catch (UnknownHostException e) {
            throw new FetchException(Reason.UNAVAILABLE, "Fetching '" + url + "' is not allowed: " + e.getMessage() + ".");
        }
        if (scheme.equals("http") && !guard.httpAllowed(addresses)) {
            throw new FetchException(Reason.BAD_URL, "'" + url + "' must use https (plain http only for loopback in development).");
        }
        return uri;
    }

    /** A cached or freshly fetched JSON object; concurrent callers for one URL share one fetch. */
    public JsonNode get(String url, boolean forceRefresh) throws FetchException {
        return cached(url, forceRefresh, () -> {
            byte[] body = fetch(url, "application/json");
            JsonNode node;
            try {
                node = JsonSerialization.mapper.readTree(body);
            } catch (IOException ex) {
                throw new FetchException(Reason.UNAVAILABLE, "'" + url + "' is not JSON.");
            }
            if (node == null || !node.isObject()) {
                throw new FetchException(Reason.UNAVAILABLE, "'" + url + "' is not a JSON object.");
            }
            return new Fetched(node, body.length);
        });
    }

    /**
     * A cached or freshly fetched text document (an {@code x5u} PEM chain), under the same limits.
     * Cached apart from JSON documents: its key is the URL behind a space, which no URL contains.
     */
    public String getText(String url, String accept) throws FetchException {
        return cached("text " + url, false, () -> {
            byte[] body = fetch(url, accept);
            return new Fetched(TextNode.valueOf(new String(body, StandardCharsets.UTF_8)), body.length);
        }).asText();
    }

    /** Loads one document; throws {@link FetchException} for every refusal. */
    private interface Loader {
        Fetched load() throws FetchException;
    }

    /** {@code url} is the cache key: the URL itself for JSON, marked for other kinds of document. */
    private JsonNode cached(String url, boolean forceRefresh, Loader loader) throws FetchException {
        long now = clock.getAsLong();
        Entry e;
        synchronized (cache) {
            e = cache.get(url);
        }
        if (e != null) {
            long age = now - e.fetchedAt();
            if (e.failure() != null && age < FAILURE_CACHE_SECONDS) {
                throw e.failure();
            }
            if (e.document() != null && age < CACHE_SECONDS && (!forceRefresh || age < REFRESH_COOLDOWN_SECONDS)) {
                return e.document();
            }
        }
        CompletableFuture<JsonNode> mine = new CompletableFuture<>();
        CompletableFuture<JsonNode> running = inFlight.putIfAbsent(url, mine);
        if (running != null) {
            return join(url, running);
        }
        try {
            Fetched fetched = loader.load();
            remember(url, new Entry(fetched.document(), null, now, fetched.bytes()));
            mine.complete(fetched.document());
            return fetched.document();
        } catch (FetchException ex) {
            remember(url, new Entry(null, ex, now, FAILURE_BYTES));
            mine.completeExceptionally(ex);
            throw ex;
        } catch (RuntimeException ex) {
            mine.completeExceptionally(ex);
            throw ex;
        } finally {
            inFlight.remove(url, mine);
        }
    }

    /** Waits for another caller's fetch of the same URL, which ends by its own deadline. */
    private JsonNode join(String url, CompletableFuture<JsonNode> running) throws FetchException {
        try {
            return running.get(deadlineMillis + 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof FetchException fe) {
                throw fe;
            }
            throw new FetchException(Reason.UNAVAILABLE, "Fetching '" + url + "' failed: " + ex.getCause());
        } catch (TimeoutException ex) {
            throw new FetchException(Reason.UNAVAILABLE, "A shared fetch of '" + url + "' did not finish in time.");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new FetchException(Reason.UNAVAILABLE, "Interrupted while fetching '" + url + "'.");
        }
    }

    private void remember(String url, Entry entry) {
        long bytes = url.length() * 2L + entry.bytes();
        synchronized (cache) {
            Entry old = cache.remove(url);
            if (old != null) {
                cacheBytes -= url.length() * 2L + old.bytes();
            }
            if (bytes > MAX_CACHE_BYTES) {
                return;
            }
            Iterator<Map.Entry<String, Entry>> lru = cache.entrySet().iterator();
            while (lru.hasNext() && (cache.size() >= maxEntries || cacheBytes + bytes > MAX_CACHE_BYTES)) {
                Map.Entry<String, Entry> oldest = lru.next();
                cacheBytes -= oldest.getKey().length() * 2L + oldest.getValue().bytes();
                lru.remove();
            }
            cache.put(url, entry);
            cacheBytes += bytes;
        }
    }

    /** The body of {@code url}, fetched under the guard, deadline and size cap. */
    private byte[] fetch(String url, String accept) throws FetchException {
        URI uri = checkUrl(url);
        HttpGet get = new HttpGet(uri);
        get.setHeader("Accept", accept);
        AtomicBoolean expired = new AtomicBoolean();
        // The per-read timeout restarts with every byte; only this ends a document fed slowly.
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            expired.set(true);
            get.abort();
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        try {
            HttpResponse response = client.execute(get);
            try {
                int status = response.getStatusLine().getStatusCode();
                HttpEntity entity = response.getEntity();
                if (status != 200 || entity == null) {
                    throw new FetchException(Reason.UNAVAILABLE, "'" + url + "' answered HTTP " + status + ".");
                }
                if (entity.getContentLength() > MAX_BYTES) {
                    throw new FetchException(Reason.UNAVAILABLE, "'" + url + "' is larger than " + MAX_BYTES + " bytes.");
                }
                return readCapped(url, entity.getContent(), expired);
            } finally {
                get.releaseConnection();
            }
        } catch (FetchException ex) {
            throw ex;
        } catch (IOException ex) {
            if (expired.get()) {
                throw deadlineExceeded(url);
            }
            throw new FetchException(Reason.UNAVAILABLE, "Fetching '" + url + "' failed: " + ex.getClass().getSimpleName()
                    + (ex.getMessage() == null ? "" : " " + ex.getMessage()) + ".");
        } finally {
            deadline.cancel(false);
        }
    }

    private FetchException deadlineExceeded(String url) {
        return new FetchException(Reason.UNAVAILABLE, "Fetching '" + url + "' exceeded the deadline of " + deadlineMillis + " ms.");
    }

    private byte[] readCapped(String url, InputStream in, AtomicBoolean expired) throws IOException, FetchException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) != -1) {
                if (expired.get()) {
                    throw deadlineExceeded(url);
                }
                if (out.size() + n > MAX_BYTES) {
                    throw new FetchException(Reason.UNAVAILABLE, "'" + url + "' is larger than " + MAX_BYTES + " bytes.");
                }
                out.write(buf, 0, n);
            }
            if (expired.get()) {
                throw deadlineExceeded(url);
            }
            return out.toByteArray();
        }
    }

    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        client.close();
    }
}
