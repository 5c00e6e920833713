package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Person Server refusal: an error code and one sentence ({@code detail}), answered as RFC 9457
 * problem+json ({@link Problem}). When {@link #signatureError} is set the refusal happened while
 * verifying the request signature (§Verification): the answer is 401 with {@code Signature-Error}.
 */
public final class PsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final AAuthError error;
    private final String signatureError;
    private final transient Map<String, Object> members;
    private final transient Map<String, String> headers;
    /** The Signature-Error code this refusal means should it have happened in Signature-Key (e.g. issuer_mismatch). */
    private final String hint;

    public PsException(AAuthError error, String detail) {
        this(error, detail, null, Map.of(), Map.of(), null);
    }

    private PsException(AAuthError error, String detail, String signatureError, Map<String, Object> members, Map<String, String> headers, String hint) {
        super(detail);
        if (error.personServerStatus() == 0) {
            throw new IllegalArgumentException(error + " is not an answer of the Person Server");
        }
        this.error = error;
        this.signatureError = signatureError;
        this.members = Map.copyOf(members);
        this.headers = Map.copyOf(headers);
        this.hint = hint;
    }

    /** A signature failure: 401, {@code Signature-Error: error=<code>}, and {@code error} = the same code. */
    public static PsException signature(String code, String detail) {
        return new PsException(AAuthError.INVALID_REQUEST, detail, code, Map.of(), Map.of(), null);
    }

    /**
     * A signature failure caused by the agent token in Signature-Key: the header names the JWT failure
     * ({@code expired_jwt}, {@code issuer_missing}, {@code issuer_mismatch}, else {@code invalid_jwt}),
     * the body the token error ({@code invalid_agent_token} / {@code expired_agent_token}).
     */
    public static PsException agentToken(PsException cause) {
        String code = cause.error == AAuthError.EXPIRED_AGENT_TOKEN ? "expired_jwt" : cause.hint != null ? cause.hint : "invalid_jwt";
        return new PsException(cause.error, cause.getMessage(), code, Map.of(), Map.of(), null);
    }

    PsException withHint(String signatureErrorCode) {
        return new PsException(error, getMessage(), signatureError, members, headers, signatureErrorCode);
    }

    public PsException withMember(String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(members);
        m.put(name, value);
        return new PsException(error, getMessage(), signatureError, m, headers, hint);
    }

    public PsException withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new PsException(error, getMessage(), signatureError, members, h, hint);
    }

    public AAuthError error() {
        return error;
    }

    /** The {@code Signature-Error} code, or null for a refusal after the signature verified. */
    public String signatureError() {
        return signatureError;
    }

    /** The code in the body's {@code error} member. */
    public String code() {
        return signatureError != null && error == AAuthError.INVALID_REQUEST ? signatureError : error.code();
    }

    public int status() {
        return signatureError != null ? 401 : error.personServerStatus();
    }

    public Map<String, Object> members() {
        return members;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
