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
    /** A pending URL polled with another agent's key. The draft defines no code for it; OAuth's is used. */
    ACCESS_DENIED("access_denied", 403),
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
