package dev.aauth.keycloak.policy;

import java.util.Map;
import java.util.Set;

/**
 * The parts of a realm the AAuth policy reads (contract, "Policy from the realm"). Implemented over
 * Keycloak models in {@link KeycloakRealmView}; a map-backed one serves the unit tests.
 */
public interface RealmView {

    /**
     * A client with attribute {@code aauth.agent=true}, as the policy sees it.
     *
     * @param chainScopes client attribute {@code aauth.chainScopes}: the scopes this agent may obtain
     *                    without asking the user when the user reached it through another agent
     *                    (call chaining, token exchange); null when absent (none)
     */
    record Agent(String clientId, String name, boolean consentRequired, Map<String, Scope> optionalScopes,
                 Set<String> chainScopes) {

        /** An agent with no chaining policy. */
        public Agent(String clientId, String name, boolean consentRequired, Map<String, Scope> optionalScopes) {
            this(clientId, name, consentRequired, optionalScopes, null);
        }
    }

    /** A client scope: its name, the resource that offers it ({@code aauth.resource}), and its consent text. */
    record Scope(String name, String resource, String consentText) {
    }

    /** The enabled agent client with this clientId, or null. */
    Agent agent(String agentId);

    /** True when an enabled client with {@code aauth.resource=true} has this clientId. */
    boolean isResource(String resourceId);

    /** Realm attribute {@code aauth.consentScopes}. */
    Set<String> consentScopes();
}
