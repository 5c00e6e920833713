package dev.aauth.keycloak.signature;

import java.util.List;

/**
 * The parts of an HTTP request that RFC 9421 §2 components are derived from, as received on the
 * wire (raw path and query, Host header), independent of the server framework.
 */
public interface RequestView {
    /** Request method, e.g. {@code POST}. */
    String method();

    /** Value of the Host header as received: RFC 9421 §2.2.3 derives {@code @authority} from it. */
    String authority();

    /** Scheme the client used ({@code http} or {@code https}), for default-port removal. */
    String scheme();

    /** Raw (still percent-encoded) path; never null. */
    String rawPath();

    /** Raw query without the leading {@code ?}, or null when the URL has none. */
    String rawQuery();

    /** All field lines of a header (lowercase name), in order; empty when absent. */
    List<String> header(String lowercaseName);
}
