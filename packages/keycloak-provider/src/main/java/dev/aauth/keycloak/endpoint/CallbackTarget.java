package dev.aauth.keycloak.endpoint;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code callback} the interaction endpoint may send the browser to once the user decides
 * (draft-hardt-aauth c465b2d §User Interaction; §Endpoint URLs for the loopback form; contract
 * "Consent"). The draft gives the callback no security role (tokens travel only by polling), but a
 * server that redirects anywhere is an open redirect under the realm's name: so only the requesting
 * agent's own origin ({@code callback_endpoint} may be any URL on it, §Agent Server Metadata) or,
 * for native agents, an {@code http} loopback URL with a port and no query.
 */
final class CallbackTarget {

    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "[::1]", "localhost");

    private CallbackTarget() {
    }

    static boolean allowed(String callback, String agentId) {
        URI url = parse(callback);
        URI agent = parse(agentId);
        if (url == null || agent == null || url.getHost() == null || agent.getHost() == null
                || callback.indexOf('#') >= 0 || url.getRawUserInfo() != null) {
            return false;
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        boolean web = "https".equals(scheme) || "http".equals(scheme);
        if (web && origin(url).equals(origin(agent))) {
            return true;
        }
        return "http".equals(scheme) && LOOPBACK_HOSTS.contains(url.getHost().toLowerCase(Locale.ROOT))
                && url.getPort() != -1 && url.getRawQuery() == null;
    }

    /** The CSP source expression of an allowed callback's origin ({@code scheme://host[:port]}, CSP3 §2.3.1). */
    static String cspSource(String callback) {
        URI url = parse(callback);
        if (url == null || url.getHost() == null) {
            throw new IllegalArgumentException("not an absolute URL");
        }
        return url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getHost().toLowerCase(Locale.ROOT) + (url.getPort() == -1 ? "" : ":" + url.getPort());
    }

    private static URI parse(String value) {
        if (value == null) {
            return null;
        }
        try {
            URI uri = new URI(value);
            return uri.isAbsolute() && !uri.isOpaque() ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String origin(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }
}
