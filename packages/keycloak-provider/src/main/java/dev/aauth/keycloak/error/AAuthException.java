package dev.aauth.keycloak.error;

/**
 * A refusal with a wire error code and a one-sentence description. Thrown by every check;
 * the endpoint turns it into {@code {"error", "error_description"}} with the matching status.
 */
public class AAuthException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final AAuthError error;

    public AAuthException(AAuthError error, String description) {
        super(description);
        this.error = error;
    }

    public AAuthException(AAuthError error, String description, Throwable cause) {
        super(description, cause);
        this.error = error;
    }

    public AAuthError error() {
        return error;
    }

    /** The same description under another code: a key-discovery failure means different things per token. */
    public AAuthException as(AAuthError other) {
        return other == error ? this : new AAuthException(other, getMessage(), this);
    }
}
