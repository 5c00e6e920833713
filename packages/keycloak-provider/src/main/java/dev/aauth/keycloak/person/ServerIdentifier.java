package dev.aauth.keycloak.person;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Identifier shapes of the current profile (draft-hardt-oauth-aauth-protocol §Server Identifiers,
 * §Agent Identifiers).
 *
 * <p>A server identifier is {@code https://host}: lowercase, no path, query, fragment or trailing
 * slash. Where the realm allows loopback ({@code aauth.allowLoopback}, for tests and local
 * development) {@code http} and an explicit port are accepted too, because loopback test parties
 * listen on ports of {@code 127.0.0.1}/{@code *.localhost}.
 */
public final class ServerIdentifier {

    /** §Agent Identifiers: {@code aauth:local@domain}; local from {@code [a-z0-9._+-]}, 1-255 characters. */
    private static final Pattern AGENT_ID = Pattern.compile("aauth:([a-z0-9._+\\-]{1,255})@([a-z0-9.\\-]+(?::[0-9]{1,5})?)");

    private ServerIdentifier() {
    }

    /** Null when {@code id} is a valid server identifier under this policy, else the reason. */
    public static String problem(String id, boolean allowLoopbackForms) {
        if (id == null || id.isEmpty()) {
            return "it is missing";
        }
        if (!id.equals(id.toLowerCase(Locale.ROOT))) {
            return "it must be lowercase";
        }
        URI u;
        try {
            u = new URI(id);
        } catch (URISyntaxException e) {
            return "it is not a URL";
        }
        String scheme = u.getScheme();
        boolean relaxed = allowLoopbackForms && ("http".equals(scheme) || "https".equals(scheme));
        if (!"https".equals(scheme) && !relaxed) {
            return "it must use https";
        }
        if (u.getHost() == null || u.getRawUserInfo() != null) {
            return "it must name a host";
        }
        if (u.getPort() != -1 && !relaxed) {
            return "it must not carry a port";
        }
        if (!u.getRawPath().isEmpty() || u.getRawQuery() != null || u.getRawFragment() != null || id.endsWith("/")) {
            return "it must be scheme and host only (no path, query, fragment or trailing slash)";
        }
        return null;
    }

    /** Whether {@code id} is an agent identifier {@code aauth:local@domain}. */
    public static boolean isAgentId(String id) {
        return id != null && AGENT_ID.matcher(id).matches();
    }

    /**
     * §Sub-Agents: a top-level agent's local part has no {@code +}. Used only to refuse a malformed
     * parent; protocol decisions rely on {@code parent_agent}, never on parsing.
     */
    public static boolean isTopLevelAgentId(String id) {
        return isAgentId(id) && !id.substring(0, id.indexOf('@')).contains("+");
    }
}
