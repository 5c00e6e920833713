package dev.aauth.keycloak.error;

/**
 * The provider's error vocabulary, one code per refusal, each with its HTTP status: the 2026-03
 * token endpoint and pending URLs (docs/auth-server-contract.md, "Responses"; draft-hardt-aauth
 * c465b2d §Error Responses) and the Person Server of the current profile
 * (docs/person-server-contract.md; draft-hardt-oauth-aauth-protocol §Token Endpoint Error Codes,
 * §Polling Error Codes, §Mission Endpoint Errors). {@link #personServerStatus} is the status the
 * Person Server answers a code with (0: a code it never answers); it differs from {@link #status}
 * only where the current draft gives the same code another status.
 */
public enum AAuthError {
    INVALID_REQUEST("invalid_request", 400, 400),
    INVALID_SIGNATURE("invalid_signature", 401, 0),
    /** 2026-03: a signature failure (401); the current draft's token endpoints: a request error (400). */
    INVALID_AGENT_TOKEN("invalid_agent_token", 401, 400),
    /** The current draft: an expired agent token (a {@code subagent_token}, or under {@code expired_jwt}). */
    EXPIRED_AGENT_TOKEN("expired_agent_token", 0, 400),
    INVALID_RESOURCE_TOKEN("invalid_resource_token", 400, 400),
    EXPIRED_RESOURCE_TOKEN("expired_resource_token", 0, 400),
    /** The current draft: a resource token naming a person token this Person Server does not hold. */
    UNKNOWN_PERSON_TOKEN("unknown_person_token", 0, 400),
    INVALID_AUTH_TOKEN("invalid_auth_token", 400, 0),
    /** §Error Responses "key_binding_failed": the key that signed the request is not the token's {@code cnf.jwk}. */
    KEY_BINDING_FAILED("key_binding_failed", 401, 0),
    INVALID_SCOPE("invalid_scope", 400, 400),
    /** RFC 8693 §2.2.2 / RFC 6749 §5.2: a subject or actor token that is invalid or not usable by this actor. */
    INVALID_GRANT("invalid_grant", 400, 0),
    /** RFC 8693 §2.2.2: the requested audience or resource is unknown or not allowed. */
    INVALID_TARGET("invalid_target", 400, 0),
    /** RFC 6749 §5.2: the token-exchange endpoint serves one grant type. */
    UNSUPPORTED_GRANT_TYPE("unsupported_grant_type", 400, 0),
    /** Realm policy: an unknown agent provider or resource, a disabled person. */
    ACCESS_DENIED("access_denied", 403, 403),
    /** The current draft: the person must be asked and the agent cannot take them there. */
    USER_UNREACHABLE("user_unreachable", 0, 403),
    /** The current draft §Interaction Endpoint Errors: this PS cannot relay an interaction to the person. */
    INTERACTION_UNAVAILABLE("interaction_unavailable", 0, 424),
    MISSION_NOT_FOUND("mission_not_found", 0, 404),
    MISSION_TERMINATED("mission_terminated", 0, 403),
    /** Poll answer: the user declined. */
    DENIED("denied", 403, 403),
    /** Poll answer: the interaction code was opened, but the request outlived its lifespan undecided. */
    ABANDONED("abandoned", 403, 403),
    /** Poll answer: the pending request outlived its lifespan and its code was never opened. */
    EXPIRED("expired", 408, 408),
    /** Poll answer: the interaction code was presented again after it had been used; the request is ended. */
    INVALID_CODE("invalid_code", 410, 410),
    /** Pending URL that has already answered with a terminal state, or never existed. */
    NOT_FOUND("invalid_request", 404, 404),
    /** The current draft §Deferred Responses: a pending URL that already gave its terminal answer (or was cancelled). */
    GONE("invalid_request", 0, 410),
    SERVER_ERROR("server_error", 500, 500);

    private final String code;
    private final int status;
    private final int personServerStatus;

    AAuthError(String code, int status, int personServerStatus) {
        this.code = code;
        this.status = status;
        this.personServerStatus = personServerStatus;
    }

    public String code() {
        return code;
    }

    /** The status at the 2026-03 endpoints. */
    public int status() {
        return status;
    }

    /** The status at the Person Server (current profile); 0 for a code it never answers. */
    public int personServerStatus() {
        return personServerStatus;
    }
}
