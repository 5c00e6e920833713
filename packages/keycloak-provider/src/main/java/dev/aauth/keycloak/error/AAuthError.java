package dev.aauth.keycloak.error;

/**
 * The error vocabulary of the token endpoint and pending URLs (docs/auth-server-contract.md,
 * "Responses"; draft-hardt-aauth c465b2d §Error Responses), each with its HTTP status.
 */
public enum AAuthError {
    INVALID_REQUEST("invalid_request", 400),
    INVALID_SIGNATURE("invalid_signature", 401),
    INVALID_AGENT_TOKEN("invalid_agent_token", 401),
    INVALID_RESOURCE_TOKEN("invalid_resource_token", 400),
    INVALID_AUTH_TOKEN("invalid_auth_token", 400),
    /** §Error Responses "key_binding_failed": the key that signed the request is not the token's {@code cnf.jwk}. */
    KEY_BINDING_FAILED("key_binding_failed", 401),
    INVALID_SCOPE("invalid_scope", 400),
    /** RFC 8693 §2.2.2 / RFC 6749 §5.2: a subject or actor token that is invalid or not usable by this actor. */
    INVALID_GRANT("invalid_grant", 400),
    /** RFC 8693 §2.2.2: the requested audience or resource is unknown or not allowed. */
    INVALID_TARGET("invalid_target", 400),
    /** RFC 6749 §5.2: the token-exchange endpoint serves one grant type. */
    UNSUPPORTED_GRANT_TYPE("unsupported_grant_type", 400),
    ACCESS_DENIED("access_denied", 403),
    /** Poll answer: the user declined. */
    DENIED("denied", 403),
    /** Poll answer: the interaction code was opened, but the request outlived its lifespan undecided. */
    ABANDONED("abandoned", 403),
    /** Poll answer: the pending request outlived its lifespan and its code was never opened. */
    EXPIRED("expired", 408),
    /** Poll answer: the interaction code was presented again after it had been used; the request is ended. */
    INVALID_CODE("invalid_code", 410),
    /** Pending URL that has already answered with a terminal state, or never existed. */
    NOT_FOUND("invalid_request", 404),
    SERVER_ERROR("server_error", 500);

    private final String code;
    private final int status;

    AAuthError(String code, int status) {
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
