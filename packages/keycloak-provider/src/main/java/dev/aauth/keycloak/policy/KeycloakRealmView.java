package dev.aauth.keycloak.policy;

import dev.aauth.keycloak.config.RealmSettings;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@link RealmView} over Keycloak's own concepts: agents and resources are clients whose
 * {@code clientId} is their identifier URL and whose attribute {@code aauth.agent} / {@code aauth.resource}
 * is {@code "true"}; an agent's obtainable scopes are its optional client scopes.
 */
public final class KeycloakRealmView implements RealmView {

    public static final String AGENT_ATTRIBUTE = "aauth.agent";
    public static final String RESOURCE_ATTRIBUTE = "aauth.resource";
    public static final String CHAIN_SCOPES_ATTRIBUTE = "aauth.chainScopes";

    private final RealmModel realm;
    private final RealmSettings settings;

    public KeycloakRealmView(RealmModel realm, RealmSettings settings) {
        this.realm = realm;
        this.settings = settings;
    }

    @Override
    public Agent agent(String agentId) {
        ClientModel client = agentId == null ? null : realm.getClientByClientId(agentId);
        if (client == null || !client.isEnabled() || !"true".equals(client.getAttribute(AGENT_ATTRIBUTE))) {
            return null;
        }
        Map<String, Scope> scopes = new LinkedHashMap<>();
        for (ClientScopeModel cs : client.getClientScopes(false).values()) {
            scopes.put(cs.getName(), new Scope(cs.getName(), cs.getAttribute(RESOURCE_ATTRIBUTE), consentText(cs)));
        }
        String name = client.getName() == null || client.getName().isBlank() ? client.getClientId() : client.getName();
        // A malformed list allows nothing without the user (parseList gives null, as when absent).
        Set<String> chainScopes = RealmSettings.parseList(client.getAttribute(CHAIN_SCOPES_ATTRIBUTE));
        return new Agent(client.getClientId(), name, client.isConsentRequired(), scopes,
                client.getAttribute(CHAIN_SCOPES_ATTRIBUTE) == null ? null : chainScopes);
    }

    @Override
    public boolean isResource(String resourceId) {
        ClientModel client = resourceId == null ? null : realm.getClientByClientId(resourceId);
        return client != null && client.isEnabled() && "true".equals(client.getAttribute(RESOURCE_ATTRIBUTE));
    }

    /** The resource client's display name, or its id. */
    public String resourceName(String resourceId) {
        ClientModel client = realm.getClientByClientId(resourceId);
        if (client == null || client.getName() == null || client.getName().isBlank()) {
            return resourceId;
        }
        return client.getName();
    }

    @Override
    public Set<String> consentScopes() {
        return settings.consentScopes();
    }

    private static String consentText(ClientScopeModel cs) {
        String text = cs.getConsentScreenText();
        if (text == null || text.isBlank()) {
            text = cs.getDescription();
        }
        return text == null || text.isBlank() ? cs.getName() : text;
    }
}
