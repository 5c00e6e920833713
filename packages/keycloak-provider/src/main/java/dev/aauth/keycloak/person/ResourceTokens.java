package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;

import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.token.Jwt;

import java.util.function.Predicate;

/**
 * {@code aa-resource+jwt} verification at the Person Server (draft-hardt-oauth-aauth-protocol §Resource
 * Token Verification steps 1-5): the shared steps of {@link DwkJwt} with {@code dwk} =
 * {@code aauth-resource.json}; {@code aud} = this PS; {@code agent_jkt} = the thumbprint of the key the
 * caller names (the signing key, or a sub-agent's); {@code jti}, {@code ps}, {@code sub} and
 * {@code presented_jti} and {@code scope} present. Step 6 (the person-token record) and 7 (the mission) are the caller's.
 */
public final class ResourceTokens {

    public static final String TYP = "aa-resource+jwt";
    public static final String DWK = "aauth-resource.json";

    public record Resource(String resource, String jti, String ps, String sub, String presentedJti, String missionS256,
                           String tenant, String scope, long exp) {
    }

    private ResourceTokens() {
    }

    public static Resource verify(String compact, String issuer, String agentJkt, KeyDiscovery discovery, Predicate<String> gate,
                                  boolean allowLoopbackForms, long now) {
        DwkJwt.Verified v = DwkJwt.verify(compact, TYP, DWK, "resource token", AAuthError.INVALID_RESOURCE_TOKEN,
                AAuthError.EXPIRED_RESOURCE_TOKEN, discovery, gate, allowLoopbackForms, now);
        Jwt jwt = v.jwt();
        if (!jwt.audience().equals(java.util.List.of(issuer))) {
            throw new PsException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token aud is not this Person Server.");
        }
        if (!agentJkt.equals(jwt.string("agent_jkt"))) {
            throw new PsException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token agent_jkt is not the thumbprint of the agent's key.");
        }
        for (String claim : new String[] {"jti", "ps", "sub", "presented_jti", "scope"}) {
            String value = jwt.string(claim);
            if (value == null || value.isEmpty()) {
                throw new PsException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token has no " + claim + ".");
            }
        }
        for (String claim : new String[] {"mission_s256", "tenant"}) {
            if (jwt.claims().has(claim) && jwt.string(claim) == null) {
                throw new PsException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token " + claim + " must be a string.");
            }
        }
        if (jwt.number("exp") - jwt.number("iat") > 3600) {
            throw new PsException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token lives longer than an hour.");
        }
        return new Resource(v.iss(), jwt.string("jti"), jwt.string("ps"), jwt.string("sub"), jwt.string("presented_jti"),
                jwt.string("mission_s256"), jwt.string("tenant"), jwt.string("scope"), jwt.number("exp"));
    }
}
