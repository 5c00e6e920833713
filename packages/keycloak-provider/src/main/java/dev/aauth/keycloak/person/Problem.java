package dev.aauth.keycloak.person;

import jakarta.ws.rs.core.Response;
import org.keycloak.util.JsonSerialization;

import java.io.IOException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Error answers of the Person Server (draft-hardt-oauth-aauth-protocol §Error Response Format):
 * RFC 9457 {@code application/problem+json} with {@code error} and {@code detail}; for a signature
 * failure also {@code Signature-Error} (§Authentication Errors; the header, not the body, is the
 * machine-readable carrier). A 403 never carries a {@code Signature-Error} (§Verification).
 */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";

    private Problem() {
    }

    public static Response of(PsException e) {
        Response.ResponseBuilder r = Response.status(e.status())
                .type(MEDIA_TYPE)
                .header("Cache-Control", "no-store")
                .entity(json(body(e)));
        String signatureError = signatureErrorHeader(e);
        if (signatureError != null) {
            r.header("Signature-Error", signatureError);
        }
        e.headers().forEach(r::header);
        return r.build();
    }

    /** The problem+json members: {@code error}, {@code detail}, {@code status}, {@code type} for a signature error, extras. */
    static Map<String, Object> body(PsException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.code());
        body.put("detail", e.getMessage());
        body.put("status", e.status());
        if (e.signatureError() != null) {
            // draft-hardt-httpbis-signature-key §Response Body.
            body.put("type", "urn:ietf:params:sig-error:" + e.signatureError());
        }
        e.members().forEach(body::putIfAbsent);
        return body;
    }

    /** The {@code Signature-Error} dictionary (with {@code required_input} for invalid_input), or null. */
    static String signatureErrorHeader(PsException e) {
        if (e.signatureError() == null) {
            return null;
        }
        Object required = e.members().get("required_input");
        return "error=" + e.signatureError() + (required instanceof java.util.List<?> list ? ", required_input=" + innerList(list) : "");
    }

    /** An RFC 8941 inner list of strings. */
    static String innerList(java.util.List<?> items) {
        StringBuilder sb = new StringBuilder("(");
        for (Object o : items) {
            sb.append(sb.length() > 1 ? " " : "").append('"').append(o).append('"');
        }
        return sb.append(')').toString();
    }

    /** An RFC 8941 list of strings, e.g. {@code "Ed25519", "ES256"}. */
    static String stringList(java.util.List<String> items) {
        StringBuilder sb = new StringBuilder();
        for (String s : items) {
            sb.append(sb.length() > 0 ? ", " : "").append('"').append(s).append('"');
        }
        return sb.toString();
    }

    /** Serialised here: the JSON writer of the server is not bound to the problem+json media type. */
    static String json(Object body) {
        try {
            return JsonSerialization.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
