package dev.aauth.keycloak.policy;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;

/**
 * The realm's answer to an access request (contract check 6 and 7; "Policy from the realm"):
 * <ol>
 *   <li>the agent is a known, enabled agent client, and for resource access the audience is a known
 *       resource client → else {@code access_denied};</li>
 *   <li>every requested scope is one of the agent's optional client scopes and, for resource access,
 *       is offered by that resource (client-scope attribute {@code aauth.resource}); for self-access it is
 *       offered by no resource other than the agent itself → else {@code invalid_scope};</li>
 *   <li>consent is needed when any scope is listed in {@code aauth.consentScopes}; when no user is known
 *       yet, when the agent client has {@code consentRequired}; when a user is carried from another agent's
 *       token (call chaining, token exchange), unless the agent's {@code aauth.chainScopes} lists every
 *       scope — the carried user approved <em>another</em> agent, not this one.</li>
 * </ol>
 */
public final class PolicyDecision {

    private PolicyDecision() {
    }

    /** @return true when the user's consent is needed (202), false for an immediate token (200) */
    public static boolean evaluate(RealmView realm, AccessRequest request) {
        RealmView.Agent agent = realm.agent(request.agentId());
        if (agent == null) {
            throw new AAuthException(AAuthError.ACCESS_DENIED, "The agent is not known to this auth server.");
        }
        if (!request.selfAccess() && !realm.isResource(request.audience())) {
            throw new AAuthException(AAuthError.ACCESS_DENIED, "The resource is not known to this auth server.");
        }
        for (String scope : request.scopes()) {
            RealmView.Scope s = agent.optionalScopes().get(scope);
            if (s == null) {
                throw new AAuthException(AAuthError.INVALID_SCOPE, "Scope '" + scope + "' is not granted to this agent.");
            }
            if (!request.selfAccess() && !request.audience().equals(s.resource())) {
                throw new AAuthException(AAuthError.INVALID_SCOPE, "Scope '" + scope + "' is not offered by this resource.");
            }
            // A resource's scope is obtained with that resource's token; a self-access token (aud =
            // the agent) carries it only when the agent itself is the resource that offers it.
            if (request.selfAccess() && s.resource() != null && !s.resource().equals(request.agentId())) {
                throw new AAuthException(AAuthError.INVALID_SCOPE, "Scope '" + scope + "' belongs to resource '" + s.resource() + "', not to self-access.");
            }
        }
        boolean scopeNeedsConsent = request.scopes().stream().anyMatch(realm.consentScopes()::contains);
        if (request.upstreamSubject() == null) {
            return agent.consentRequired() || scopeNeedsConsent;
        }
        boolean chainCovered = agent.chainScopes() != null && agent.chainScopes().containsAll(request.scopes());
        return scopeNeedsConsent || !chainCovered;
    }
}
