package dev.aauth.keycloak.signature;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;

import java.util.List;
import java.util.Locale;

/**
 * RFC 9421 §2.5: the signature base, one line per covered component, then the
 * {@code @signature-params} line, joined by LF with no trailing newline.
 */
public final class SignatureBase {

    private SignatureBase() {
    }

    /**
     * @param components covered component names, in {@code Signature-Input} order (no component parameters)
     * @param signatureParams the serialized {@code Signature-Input} member value (RFC 9421 §2.3)
     */
    public static String build(RequestView request, List<String> components, String signatureParams) {
        StringBuilder sb = new StringBuilder();
        for (String name : components) {
            sb.append('"').append(name).append("\": ").append(componentValue(request, name)).append('\n');
        }
        sb.append("\"@signature-params\": ").append(signatureParams);
        return sb.toString();
    }

    static String componentValue(RequestView request, String name) {
        switch (name) {
            case "@method":
                // §2.2.1: the method as sent (uppercase by convention; no case folding).
                return request.method();
            case "@authority":
                return authority(request);
            case "@scheme":
                return request.scheme().toLowerCase(Locale.ROOT);
            case "@target-uri": {
                String q = request.rawQuery();
                return request.scheme().toLowerCase(Locale.ROOT) + "://" + authority(request) + path(request)
                        + (q == null ? "" : "?" + q);
            }
            case "@request-target": {
                String q = request.rawQuery();
                return path(request) + (q == null ? "" : "?" + q);
            }
            case "@path":
                return path(request);
            case "@query": {
                // §2.2.7: "?" followed by the query; an absent query is serialized as "?".
                String q = request.rawQuery();
                return "?" + (q == null ? "" : q);
            }
            default:
                if (name.startsWith("@")) {
                    throw new AAuthException(AAuthError.INVALID_SIGNATURE,
                            "Covered component " + name + " is not supported.");
                }
                return fieldValue(request, name);
        }
    }

    /** §2.2.3: host lowercased, default port removed. */
    static String authority(RequestView request) {
        String host = request.authority();
        if (host == null || host.isBlank()) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "The request has no Host header for @authority.");
        }
        host = host.trim().toLowerCase(Locale.ROOT);
        String scheme = request.scheme() == null ? "" : request.scheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") && host.endsWith(":80")) {
            host = host.substring(0, host.length() - 3);
        } else if (scheme.equals("https") && host.endsWith(":443")) {
            host = host.substring(0, host.length() - 4);
        }
        return host;
    }

    private static String path(RequestView request) {
        String p = request.rawPath();
        return p == null || p.isEmpty() ? "/" : p;
    }

    /** §2.1: field lines trimmed and joined with ", "; a covered field must be present. */
    private static String fieldValue(RequestView request, String name) {
        List<String> lines = request.header(name);
        if (lines.isEmpty()) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE,
                    "Covered component " + name + " is not present in the request.");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(lines.get(i).trim());
        }
        return sb.toString();
    }
}
