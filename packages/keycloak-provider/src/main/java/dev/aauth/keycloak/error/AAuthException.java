package dev.aauth.keycloak.error;

import java.util.Map;

/**
 * A refusal with a wire error code and a one-sentence description. Thrown by every check;
 * the endpoint turns it into {@code {"error", "error_description"}} with the matching status.
 */
public class AAuthException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final AAuthError error;
    /** Extra members of the JSON error body, e.g. {@code required_components} (c465b2d §Error Responses). */
    private final transient Map<String, Object> extras;

    public AAuthException(AAuthError error, String description) {
        this(error, description, Map.of());
    }

    public AAuthException(AAuthError error, String description, Map<String, Object> extras) {
        super(description);
        this.error = error;
        this.extras = Map.copyOf(extras);
    }

    public AAuthException(AAuthError error, String description, Throwable cause) {
        super(description, cause);
        this.error = error;
        this.extras = Map.of();
    }

    public AAuthError error() {
        return error;
    }

    public Map<String, Object> extras() {
        return extras;
    }

    /** The same description under another code: a key-discovery failure means different things per token. */
    public AAuthException as(AAuthError other) {
        return other == error ? this : new AAuthException(other, getMessage(), this);
    }
}
