package dev.aauth.keycloak.token;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.signature.PublicJwk;

import java.util.function.Predicate;

/**
 * Resource token checks (draft-hardt-aauth c465b2d §Resource Token; contract check 3), in order:
 * {@code typ} = {@code resource+jwt}; {@code iss} is a resource known to the realm (checked before any
 * fetch, so an unknown issuer cannot make us fetch; {@code access_denied} per the policy table); signature with the key from
 * {@code {iss}/.well-known/aauth-resource.json}; {@code aud} = this issuer; {@code agent} = the
 * requesting agent; {@code agent_jkt} = thumbprint of the HTTP signing key; {@code exp} in the future;
 * {@code jti} present. The single-use {@code jti} check is the caller's last step, so a token refused
 * for another reason is not burnt.
 */
public final class ResourceTokenVerifier {

    private final KeyDiscovery discovery;

    public ResourceTokenVerifier(KeyDiscovery discovery) {
        this.discovery = discovery;
    }

    public record Result(String resourceId, String scope, String txn, String jti, long exp) {
    }

    public Result verify(String compact, String issuer, String agentId, PublicJwk httpKey,
                         Predicate<String> isKnownResource, long now) {
        Jwt jwt = Jwt.parse(compact, "resource token", AAuthError.INVALID_RESOURCE_TOKEN);
        jwt.requireTyp("resource+jwt", "resource token");
        String iss = jwt.string("iss");
        if (iss == null || !isKnownResource.test(iss)) {
            // Policy table: an unknown resource is access_denied, decided before any fetch.
            throw new AAuthException(AAuthError.ACCESS_DENIED, "The resource token iss is not a resource known to this auth server.");
        }
        PublicJwk key;
        try {
            key = discovery.findKey(iss, "aauth-resource.json", "resource", jwt.kid());
        } catch (Exception e) {
            throw new AAuthException(AAuthError.INVALID_RESOURCE_TOKEN, "Resource token key discovery failed: " + e.getMessage());
        }
        jwt.verifySignature(key, "resource token");
        if (!jwt.audience().contains(issuer)) {
            throw new AAuthException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token aud is not this auth server.");
        }
        if (!agentId.equals(jwt.string("agent"))) {
            throw new AAuthException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token agent is not the requesting agent.");
        }
        if (!httpKey.thumbprint().equals(jwt.string("agent_jkt"))) {
            throw new AAuthException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token agent_jkt is not the thumbprint of the signing key.");
        }
        long exp = jwt.requireNotExpired(now, "resource token");
        String jti = jwt.string("jti");
        if (jti == null || jti.isEmpty()) {
            throw new AAuthException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token has no jti.");
        }
        if (jwt.claims().has("scope") && jwt.string("scope") == null) {
            throw new AAuthException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token scope must be a string.");
        }
        return new Result(iss, jwt.string("scope"), jwt.string("txn"), jti, exp);
    }
}
