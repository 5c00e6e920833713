package dev.aauth.keycloak.person;

/**
 * The Person Server's error codes in the current profile, each with its HTTP status
 * (draft-hardt-oauth-aauth-protocol §Token Endpoint Error Codes, §Polling Error Codes,
 * §Mission Endpoint Errors). A refusal during signature verification is answered with 401 and a
 * {@code Signature-Error} header instead (§Verification); see {@link PsException#signatureError}.
 */
public enum PsError {
    INVALID_REQUEST("invalid_request", 400),
    INVALID_AGENT_TOKEN("invalid_agent_token", 400),
    EXPIRED_AGENT_TOKEN("expired_agent_token", 400),
    INVALID_RESOURCE_TOKEN("invalid_resource_token", 400),
    EXPIRED_RESOURCE_TOKEN("expired_resource_token", 400),
    UNKNOWN_PERSON_TOKEN("unknown_person_token", 400),
    USER_UNREACHABLE("user_unreachable", 403),
    /** Realm policy (the 2026-03 contract's codes): an unknown agent provider or resource, a disabled person. */
    ACCESS_DENIED("access_denied", 403),
    /** Realm policy: a scope the agent provider may not ask for, or the resource does not offer. */
    INVALID_SCOPE("invalid_scope", 400),
    /** §Interaction Endpoint Errors: this PS cannot relay an interaction to the person. */
    INTERACTION_UNAVAILABLE("interaction_unavailable", 424),
    MISSION_NOT_FOUND("mission_not_found", 404),
    MISSION_TERMINATED("mission_terminated", 403),
    DENIED("denied", 403),
    ABANDONED("abandoned", 403),
    EXPIRED("expired", 408),
    INVALID_CODE("invalid_code", 410),
    /** No pending request at this URL. */
    NOT_FOUND("invalid_request", 404),
    /** §Deferred Responses: a pending URL that already gave its terminal answer (or was cancelled). */
    GONE("invalid_request", 410),
    SERVER_ERROR("server_error", 500);

    private final String code;
    private final int status;

    PsError(String code, int status) {
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
