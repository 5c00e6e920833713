package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An RFC 8693 §2.1 token-exchange request: {@code application/x-www-form-urlencoded}, parsed from the
 * raw bytes whose Content-Digest is checked, each parameter at most once. Same rules and codes as the
 * embedded server's {@code parse-exchange-request.ts}.
 *
 * @param target the one target: {@code audience}, or {@code resource} when no audience is given
 */
record TokenExchangeRequest(String subjectToken, String actorToken, String target, String scope) {

    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final List<String> SUBJECT_TYPES = List.of(JWT_TYPE, ACCESS_TOKEN_TYPE);
    private static final int MAX_VALUE = 16 * 1024;

    static TokenExchangeRequest parse(String contentType, byte[] body) {
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/x-www-form-urlencoded")) {
            throw TokenRequestBody.invalid("A token-exchange request is application/x-www-form-urlencoded (RFC 8693 §2.1).");
        }
        Map<String, String> p = TokenRequestBody.parse(contentType, body);
        for (Map.Entry<String, String> e : p.entrySet()) {
            if (e.getValue().length() > MAX_VALUE) {
                throw TokenRequestBody.invalid("The parameter '" + e.getKey() + "' is longer than " + MAX_VALUE + " characters.");
            }
        }
        String grantType = p.get("grant_type");
        if (grantType == null) {
            throw TokenRequestBody.invalid("The parameter 'grant_type' is required.");
        }
        if (!grantType.equals(GRANT_TYPE)) {
            throw new AAuthException(AAuthError.UNSUPPORTED_GRANT_TYPE, "Only " + GRANT_TYPE + " is served here.");
        }
        String subjectToken = p.get("subject_token");
        if (subjectToken == null || subjectToken.isEmpty()) {
            throw TokenRequestBody.invalid("The parameter 'subject_token' is required.");
        }
        if (!SUBJECT_TYPES.contains(p.get("subject_token_type"))) {
            throw TokenRequestBody.invalid("The parameter 'subject_token_type' must be " + JWT_TYPE + " or " + ACCESS_TOKEN_TYPE + ".");
        }
        String actorToken = p.get("actor_token");
        String actorType = p.get("actor_token_type");
        // RFC 8693 §2.1: actor_token_type is REQUIRED with actor_token and MUST NOT appear without it.
        if ((actorToken == null) != (actorType == null)) {
            throw TokenRequestBody.invalid("The parameters 'actor_token' and 'actor_token_type' come together.");
        }
        if (actorType != null && !actorType.equals(JWT_TYPE)) {
            throw TokenRequestBody.invalid("The parameter 'actor_token_type' must be " + JWT_TYPE + ".");
        }
        String requested = p.get("requested_token_type");
        if (requested != null && !SUBJECT_TYPES.contains(requested)) {
            throw TokenRequestBody.invalid("The parameter 'requested_token_type' must be " + JWT_TYPE + " or " + ACCESS_TOKEN_TYPE + ".");
        }
        String target = p.containsKey("audience") ? p.get("audience") : p.get("resource");
        return new TokenExchangeRequest(subjectToken, actorToken == null || actorToken.isEmpty() ? null : actorToken, target, p.get("scope"));
    }
}
