package dev.aauth.keycloak.policy;

import java.util.List;
import java.util.Set;

/**
 * The realm's default chain policy (docs/auth-server-contract.md, "Chain policy"): at most
 * {@code aauth.maxChainDepth} actors, and, when {@code aauth.chainActors} is set, only those agents
 * anywhere in the chain. Asked on the chain a token is about to carry or stand on, outermost
 * (current) actor first; the same rules and sentences as core's {@code realmChainPolicy}.
 *
 * @param maxDepth most actors in a chain
 * @param actors   the only agents admitted anywhere in a chain; null = any
 */
public record ChainLimits(int maxDepth, Set<String> actors) {

    public static final String MAX_DEPTH_ATTRIBUTE = "aauth.maxChainDepth";
    public static final String ACTORS_ATTRIBUTE = "aauth.chainActors";
    /** The longest chain an exchange can build: the outermost actor plus 14 before it. */
    public static final int DEFAULT_MAX_DEPTH = 15;

    /** Why {@code act} is refused, or null when it is within the limits. */
    public String refusal(List<String> act) {
        if (act.size() > maxDepth) {
            return "the delegation chain has " + act.size() + " actors, more than " + maxDepth + " (" + MAX_DEPTH_ATTRIBUTE + ")";
        }
        if (actors != null) {
            for (String actor : act) {
                if (!actors.contains(actor)) {
                    return actor + " may not appear in a delegation chain here (" + ACTORS_ATTRIBUTE + ")";
                }
            }
        }
        return null;
    }
}
