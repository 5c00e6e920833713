package dev.aauth.keycloak.token;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.signature.PublicJwk;

import java.net.URI;
import java.util.function.Predicate;

/**
 * Agent token checks at the auth server (draft-hardt-aauth c465b2d §Agent Token; contract
 * "Agent token checks"), in this order:
 * <ol>
 *   <li>{@code iss} is a string naming an agent known to the realm, checked before anything is fetched
 *       from it, so unknown parties cannot make the server fetch arbitrary URLs ({@code access_denied},
 *       policy table);</li>
 *   <li>header {@code typ} = {@code agent+jwt}; {@code iss} is an http(s) URL (the agent id);</li>
 *   <li>signature with the key from {@code {iss}/.well-known/aauth-agent.json} → {@code jwks_uri} → {@code kid};</li>
 *   <li>{@code exp} in the future, {@code iat} not more than the skew in the future;</li>
 *   <li>{@code aud}, when present, lists the issuer;</li>
 *   <li>{@code cnf.jwk} parses; it becomes the HTTP signing key, so "cnf.jwk equals the signing key"
 *       holds by construction.</li>
 * </ol>
 * Does not check: agent policy (known client, scopes), which comes later.
 */
public final class AgentTokenVerifier {

    public static final long SKEW_SECONDS = 60;

    private final KeyDiscovery discovery;

    public AgentTokenVerifier(KeyDiscovery discovery) {
        this.discovery = discovery;
    }

    public record Result(String agentId, PublicJwk cnfKey) {
    }

    public Result verify(String compact, String issuer, Predicate<String> isKnownAgent, long now) {
        Jwt jwt = Jwt.parse(compact, "agent token", AAuthError.INVALID_AGENT_TOKEN);
        String iss = jwt.string("iss");
        if (iss == null) {
            throw new AAuthException(AAuthError.INVALID_AGENT_TOKEN, "The agent token has no iss.");
        }
        if (!isKnownAgent.test(iss)) {
            throw new AAuthException(AAuthError.ACCESS_DENIED, "The agent is not known to this auth server.");
        }
        jwt.requireTyp("agent+jwt", "agent token");
        requireUrl(iss);
        PublicJwk key;
        try {
            key = discovery.findKey(iss, "aauth-agent.json", "agent", jwt.kid());
        } catch (Exception e) {
            throw new AAuthException(AAuthError.INVALID_AGENT_TOKEN, "Agent token key discovery failed: " + e.getMessage());
        }
        jwt.verifySignature(key, "agent token");
        jwt.requireNotExpired(now, "agent token");
        Long iat = jwt.number("iat");
        if (iat != null && iat > now + SKEW_SECONDS) {
            throw new AAuthException(AAuthError.INVALID_AGENT_TOKEN, "The agent token iat is in the future.");
        }
        if (jwt.claims().has("aud") && !jwt.audience().contains(issuer)) {
            throw new AAuthException(AAuthError.INVALID_AGENT_TOKEN, "The agent token aud does not list this auth server.");
        }
        return new Result(iss, jwt.confirmationKey("agent token"));
    }

    static void requireUrl(String iss) {
        boolean ok = false;
        if (iss != null) {
            try {
                URI u = new URI(iss);
                ok = ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null
                        && u.getRawQuery() == null && u.getRawFragment() == null && u.getRawUserInfo() == null;
            } catch (Exception e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new AAuthException(AAuthError.INVALID_AGENT_TOKEN, "The agent token iss must be the agent's https URL.");
        }
    }
}
