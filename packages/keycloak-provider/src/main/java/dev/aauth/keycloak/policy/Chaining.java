package dev.aauth.keycloak.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.exchange.ActClaims;

import java.util.List;

/**
 * What a token carried from elsewhere may and may not do (docs/auth-server-contract.md, "Chained and
 * exchanged grants"); the embedded server's {@code policy/chaining.ts}. No I/O, no clock beyond
 * {@code now}.
 * <ul>
 *   <li>An agent's own token is not an upstream (or subject) token: call chaining lets an intermediary
 *       act for a user who reached it through <em>another</em> agent (draft-hardt-aauth c465b2d §Call
 *       Chaining). A token whose {@code agent} or {@code act} names the requester, or whose {@code aud}
 *       is its own {@code agent} (self-access), would turn one narrow approval into tokens for any
 *       resource.</li>
 *   <li>A user's authorization ages: {@code auth_time} (OpenID Connect Core §2), or {@code iat} when a
 *       token naming a user has none, is carried into every token derived from it, and nothing naming
 *       that user is derived once it is older than {@code aauth.maxAuthAge} (RFC 9700 §4.14.2).</li>
 * </ul>
 */
public final class Chaining {

    /** Tolerated clock skew on {@code auth_time}, seconds. */
    private static final long SKEW_SECONDS = 60;

    private Chaining() {
    }

    /** Why the token is the requester's own rather than another agent's, or null when it is not. */
    public static String ownTokenReason(String requester, List<String> audience, String agent, JsonNode act) {
        if (agent != null && audience.contains(agent)) {
            return "it is a self-access token of " + agent + " (aud = agent), not a token another agent was given";
        }
        if (requester.equals(agent)) {
            return "it was issued to " + requester + " itself; call chaining carries a user from another agent";
        }
        try {
            if (ActClaims.chain(ActClaims.parse(act)).contains(requester)) {
                return requester + " already acted on it (\"act\"); a chain does not loop back";
            }
        } catch (IllegalArgumentException e) {
            return "its \"act\" is malformed";
        }
        return null;
    }

    /** {@code auth_time} when the claims have a numeric one, else {@code iat}; null when neither. */
    public static Long authTime(JsonNode claims) {
        JsonNode t = claims.get("auth_time");
        if (t == null || !t.isNumber()) {
            t = claims.get("iat");
        }
        return t != null && t.isNumber() ? t.asLong() : null;
    }

    /** Why an authorization made at {@code authTime} can no longer be carried on, or null when it can. */
    public static String authAgeReason(Long authTime, long now, long maxAuthAge) {
        if (authTime == null) {
            return "it carries no authorization time (\"auth_time\")";
        }
        if (authTime > now + SKEW_SECONDS) {
            return "its \"auth_time\" is in the future";
        }
        if (now - authTime > maxAuthAge) {
            return "the user's authorization (\"auth_time\") is older than " + maxAuthAge + " s (aauth.maxAuthAge); ask the user again";
        }
        return null;
    }
}
