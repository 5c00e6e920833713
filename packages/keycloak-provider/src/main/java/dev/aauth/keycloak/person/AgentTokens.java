package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;

import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.signature.PublicJwk;
import dev.aauth.keycloak.token.Jwt;

import java.util.function.Predicate;

/**
 * {@code aa-agent+jwt} verification at the Person Server (draft-hardt-oauth-aauth-protocol §Agent Token
 * Verification): the shared steps of {@link DwkJwt} with {@code dwk} = {@code aauth-agent.json}; then
 * {@code sub} is an agent identifier {@code aauth:local@domain}; {@code cnf.jwk} carries a fully
 * specified {@code alg}; {@code ps}, when present, is a server identifier or this Person Server's own
 * issuer (which carries the realm path, trusted by its exact string as DESIGN.md §Identifiers has it, so
 * an agent provider may name this PS); {@code parent_agent}, when present, is a top-level agent
 * identifier (§Sub-Agents: one level only).
 */
public final class AgentTokens {

    public static final String TYP = "aa-agent+jwt";
    public static final String DWK = "aauth-agent.json";

    /** A verified agent: provider ({@code iss}), agent identifier ({@code sub}), key, optional parent, expiry. */
    public record Agent(String provider, String id, PublicJwk key, String parentAgent, long exp) {
        public boolean isSubAgent() {
            return parentAgent != null;
        }
    }

    private AgentTokens() {
    }

    /**
     * Failures are {@code invalid_agent_token} / {@code expired_agent_token} (the signing agent's token:
     * under a Signature-Error; a {@code subagent_token}: 400).
     *
     * @param ownIssuer this Person Server's issuer, accepted as {@code ps} by exact string
     */
    public static Agent verify(String compact, String what, KeyDiscovery discovery, Predicate<String> acceptsProvider,
                               boolean allowLoopbackForms, String ownIssuer, long now) {
        DwkJwt.Verified v = DwkJwt.verify(compact, TYP, DWK, what, AAuthError.INVALID_AGENT_TOKEN, AAuthError.EXPIRED_AGENT_TOKEN,
                discovery, acceptsProvider, allowLoopbackForms, now);
        Jwt jwt = v.jwt();
        String sub = jwt.string("sub");
        if (!ServerIdentifier.isAgentId(sub)) {
            throw new PsException(AAuthError.INVALID_AGENT_TOKEN, "The " + what + " sub must be an agent identifier aauth:local@domain.");
        }
        if (jwt.string("jti") == null) {
            throw new PsException(AAuthError.INVALID_AGENT_TOKEN, "The " + what + " has no jti.");
        }
        PublicJwk key = DwkJwt.confirmationKey(jwt, what, AAuthError.INVALID_AGENT_TOKEN);
        String ps = jwt.claims().has("ps") ? jwt.string("ps") : null;
        if (jwt.claims().has("ps") && !ownIssuer.equals(ps) && ServerIdentifier.problem(ps, allowLoopbackForms) != null) {
            throw new PsException(AAuthError.INVALID_AGENT_TOKEN, "The " + what + " ps must be a server identifier.");
        }
        String parent = null;
        if (jwt.claims().has("parent_agent")) {
            parent = jwt.string("parent_agent");
            if (!ServerIdentifier.isTopLevelAgentId(parent)) {
                throw new PsException(AAuthError.INVALID_AGENT_TOKEN, "The " + what + " parent_agent must be a top-level agent identifier.");
            }
        }
        return new Agent(v.iss(), sub, key, parent, jwt.number("exp"));
    }
}
