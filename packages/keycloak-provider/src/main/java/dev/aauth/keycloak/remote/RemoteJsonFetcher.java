package dev.aauth.keycloak.remote;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.http.HttpEntity;
import org.apache.http.HttpResponse;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.conn.DnsResolver;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.keycloak.util.JsonSerialization;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Fetches JSON documents (metadata and JWKS) with the limits remote key discovery needs
 * (wire notes §2.4; keycloak-extension-notes §1.13 "metadata and JWKS are fetched on every request"):
 * connect/read timeouts, a response size cap, no redirects, the {@link AddressGuard} applied at DNS
 * resolution time (so the checked address is the one connected to), and a TTL cache with a short
 * cool-down for forced refreshes (an unknown {@code kid} may mean a key rotation, but must not let a
 * caller make us fetch on every request).
 *
 * <p>One instance per loopback mode lives in the protocol factory, shared by all requests.
 */
public final class RemoteJsonFetcher implements Closeable {

    public static final int MAX_BYTES = 256 * 1024;
    public static final long CACHE_SECONDS = 300;
    public static final long REFRESH_COOLDOWN_SECONDS = 10;

    private final AddressGuard guard;
    private final CloseableHttpClient client;
    private final LongSupplier clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    private record Entry(JsonNode document, long fetchedAt) {
    }

    /** Failure to obtain a usable document; the message says why in one sentence. */
    public static final class FetchException extends Exception {
        private static final long serialVersionUID = 1L;

        public FetchException(String message) {
            super(message);
        }
    }

    public RemoteJsonFetcher(AddressGuard guard, int timeoutMillis, LongSupplier clockSeconds) {
        this.guard = guard;
        this.clock = clockSeconds;
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

    /**
     * Validates a URL for fetching: https, or http to a loopback address in loopback mode; no user info
     * or fragment.
     */
    public URI checkUrl(String url) throws FetchException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new FetchException("'" + url + "' is not a valid URL.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new FetchException("'" + url + "' must be an absolute URL with a host and without user info or fragment.");
        }
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new FetchException("'" + url + "' must use https.");
        }
        InetAddress[] addresses;
        try {
            addresses = guard.resolve(uri.getHost());
        } catch (UnknownHostException e) {
            throw new FetchException("Fetching '" + url + "' is not allowed: " + e.getMessage() + ".");
        }
        if (scheme.equals("http") && !guard.httpAllowed(addresses)) {
            throw new FetchException("'" + url + "' must use https (plain http only for loopback in development).");
        }
        return uri;
    }

    /** A cached or freshly fetched JSON object. */
    public JsonNode get(String url, boolean forceRefresh) throws FetchException {
        long now = clock.getAsLong();
        Entry e = cache.get(url);
        if (e != null) {
            boolean fresh = now - e.fetchedAt() < CACHE_SECONDS;
            boolean coolingDown = now - e.fetchedAt() < REFRESH_COOLDOWN_SECONDS;
            if (fresh && (!forceRefresh || coolingDown)) {
                return e.document();
            }
        }
        JsonNode doc = fetch(url);
        cache.put(url, new Entry(doc, now));
        if (cache.size() > 1000) {
            cache.entrySet().removeIf(x -> now - x.getValue().fetchedAt() >= CACHE_SECONDS);
        }
        return doc;
    }

    private JsonNode fetch(String url) throws FetchException {
        URI uri = checkUrl(url);
        HttpGet get = new HttpGet(uri);
        get.setHeader("Accept", "application/json");
        try {
            HttpResponse response = client.execute(get);
            try {
                int status = response.getStatusLine().getStatusCode();
                HttpEntity entity = response.getEntity();
                if (status != 200 || entity == null) {
                    throw new FetchException("'" + url + "' answered HTTP " + status + ".");
                }
                if (entity.getContentLength() > MAX_BYTES) {
                    throw new FetchException("'" + url + "' is larger than " + MAX_BYTES + " bytes.");
                }
                byte[] body = readCapped(entity.getContent());
                JsonNode node;
                try {
                    node = JsonSerialization.mapper.readTree(body);
                } catch (IOException ex) {
                    throw new FetchException("'" + url + "' is not JSON.");
                }
                if (node == null || !node.isObject()) {
                    throw new FetchException("'" + url + "' is not a JSON object.");
                }
                return node;
            } finally {
                get.releaseConnection();
            }
        } catch (FetchException ex) {
            throw ex;
        } catch (IOException ex) {
            throw new FetchException("Fetching '" + url + "' failed: " + ex.getClass().getSimpleName()
                    + (ex.getMessage() == null ? "" : " " + ex.getMessage()) + ".");
        }
    }

    private static byte[] readCapped(InputStream in) throws IOException, FetchException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) != -1) {
                if (out.size() + n > MAX_BYTES) {
                    throw new FetchException("The document is larger than " + MAX_BYTES + " bytes.");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
