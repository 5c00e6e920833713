package dev.aauth.keycloak.person;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Person Server refusal: an error code and one sentence ({@code detail}), answered as RFC 9457
 * problem+json ({@link Problem}). When {@link #signatureError} is set the refusal happened while
 * verifying the request signature (§Verification): the answer is 401 with {@code Signature-Error}.
 */
public final class PsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final PsError error;
    private final String signatureError;
    private final transient Map<String, Object> members;
    private final transient Map<String, String> headers;

    public PsException(PsError error, String detail) {
        this(error, detail, null, Map.of(), Map.of());
    }

    private PsException(PsError error, String detail, String signatureError, Map<String, Object> members, Map<String, String> headers) {
        super(detail);
        this.error = error;
        this.signatureError = signatureError;
        this.members = Map.copyOf(members);
        this.headers = Map.copyOf(headers);
    }

    /** A signature failure: 401, {@code Signature-Error: error=<code>}, and {@code error} = the same code. */
    public static PsException signature(String code, String detail) {
        return new PsException(PsError.INVALID_REQUEST, detail, code, Map.of(), Map.of());
    }

    /** A signature failure caused by a bad agent token: the header names the JWT failure, the body the token error. */
    public static PsException agentToken(PsError bodyError, String detail) {
        return new PsException(bodyError, detail, bodyError == PsError.EXPIRED_AGENT_TOKEN ? "expired_jwt" : "invalid_jwt", Map.of(), Map.of());
    }

    public PsException withMember(String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(members);
        m.put(name, value);
        return new PsException(error, getMessage(), signatureError, m, headers);
    }

    public PsException withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new PsException(error, getMessage(), signatureError, members, h);
    }

    public PsError error() {
        return error;
    }

    /** The {@code Signature-Error} code, or null for a refusal after the signature verified. */
    public String signatureError() {
        return signatureError;
    }

    /** The code in the body's {@code error} member. */
    public String code() {
        return signatureError != null && error == PsError.INVALID_REQUEST ? signatureError : error.code();
    }

    public int status() {
        return signatureError != null ? 401 : error.status();
    }

    public Map<String, Object> members() {
        return members;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
