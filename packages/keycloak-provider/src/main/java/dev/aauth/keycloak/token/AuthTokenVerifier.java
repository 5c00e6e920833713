package dev.aauth.keycloak.token;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.policy.Chaining;
import dev.aauth.keycloak.signature.PublicJwk;

import java.util.Set;

/**
 * Checks for auth tokens presented back to the auth server (contract checks 4 and 5; draft-hardt-aauth
 * c465b2d §Call Chaining and §Token Endpoint "refresh"). Both start with {@code typ} = {@code auth+jwt},
 * an issuer we accept, and a valid signature; then:
 * <ul>
 *   <li>upstream token: {@code aud} = the requesting agent (the intermediary acting as agent), not
 *       expired. Its {@code cnf.jwk} names the agent that called the intermediary, not the intermediary
 *       itself, so it is not compared with the request's key: the {@code aud} check binds the token to the
 *       requester (wire notes §6.1). The contract's check 4 lists the comparison; it cannot hold in a
 *       real chain, and the embedded server omits it as well. The requester's own token is no upstream
 *       token ({@link Chaining#ownTokenReason}).</li>
 *   <li>refresh (§Token Refresh: the agent presents its expired token): issued by us, {@code agent} = the
 *       requesting agent, {@code cnf.jwk} = the HTTP signing key (else {@code key_binding_failed}), and
 *       within the refresh time ({@link #refreshTimeRefusal}).</li>
 * </ul>
 * Both accept the registered claims a peer's token may carry ({@code act}, {@code auth_time}, …; §Auth
 * Token Structure) in their registered shape, and refuse an {@code nbf} in the future
 * ({@link Jwt#requireRegisteredClaims}).
 */
public final class AuthTokenVerifier {

    /** Tolerated clock skew on {@code nbf}, seconds (as on {@code iat} elsewhere). */
    private static final long SKEW_SECONDS = 60;

    private final IssuerKeys keys;

    public AuthTokenVerifier(IssuerKeys keys) {
        this.keys = keys;
    }

    public Jwt verifyUpstream(String compact, String issuer, Set<String> trustedIssuers, String agentId,
                              PublicJwk httpKey, long now) {
        Jwt jwt = verifyCommon(compact, "upstream token", issuer, trustedIssuers, now);
        if (!jwt.audience().contains(agentId)) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The upstream token aud is not the requesting agent.");
        }
        jwt.requireNotExpired(now, "upstream token");
        String own = Chaining.ownTokenReason(agentId, jwt.audience(), jwt.string("agent"), jwt.claims().get("act"));
        if (own != null) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The upstream token is not an upstream token: " + own + ".");
        }
        return jwt;
    }

    public Jwt verifyRefresh(String compact, String issuer, String agentId, PublicJwk httpKey, long now,
                             long refreshWindow, boolean earlyRefresh) {
        Jwt jwt = verifyCommon(compact, "auth token", issuer, Set.of(), now);
        if (!agentId.equals(jwt.string("agent"))) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The auth token was issued to another agent.");
        }
        PublicJwk cnf = jwt.confirmationKey("auth token");
        if (!cnf.thumbprint().equals(httpKey.thumbprint())) {
            throw new AAuthException(AAuthError.KEY_BINDING_FAILED, "The auth token cnf.jwk is not the key that signed this request.");
        }
        Long exp = jwt.number("exp");
        if (exp == null) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The auth token has no exp.");
        }
        String refusal = refreshTimeRefusal(exp, now, refreshWindow, earlyRefresh);
        if (refusal != null) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, refusal);
        }
        JsonNode aud = jwt.claims().get("aud");
        if (aud == null || jwt.audience().size() != 1) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The auth token must have a single aud.");
        }
        return jwt;
    }

    /**
     * When an auth token may be refreshed (§Token Refresh: the agent presents its expired token, and the
     * server "MAY reject the refresh if the token has been expired beyond its refresh window"): from
     * {@code exp} (from {@code exp} − 60 s, the clock skew, so an agent whose clock runs ahead is not
     * refused) until {@code exp} + {@code window}; before that only with early refresh on. Null = may.
     */
    public static String refreshTimeRefusal(long exp, long now, long window, boolean earlyRefresh) {
        if (exp + window < now) {
            return "The auth token expired more than " + window + " s ago (the refresh window); start over with a resource token.";
        }
        if (!earlyRefresh && exp - SKEW_SECONDS > now) {
            return "The auth token has not expired; this realm refreshes expired auth tokens only (aauth.earlyRefresh = \"false\").";
        }
        return null;
    }

    private Jwt verifyCommon(String compact, String what, String issuer, Set<String> trustedIssuers, long now) {
        Jwt jwt = Jwt.parse(compact, what, AAuthError.INVALID_AUTH_TOKEN);
        jwt.requireTyp("auth+jwt", what);
        String iss = jwt.string("iss");
        if (iss == null || !(iss.equals(issuer) || trustedIssuers.contains(iss))) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The " + what + " issuer is not trusted.");
        }
        PublicJwk key;
        try {
            key = keys.key(iss, jwt.kid());
        } catch (Exception e) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The " + what + " key could not be found: " + e.getMessage());
        }
        if (key == null) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The " + what + " was signed with an unknown key.");
        }
        jwt.verifySignature(key, what);
        jwt.requireRegisteredClaims(now, SKEW_SECONDS, what);
        return jwt;
    }
}
