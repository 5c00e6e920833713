package dev.aauth.keycloak.admin;

import dev.aauth.keycloak.config.RealmSettings;
import dev.aauth.keycloak.policy.KeycloakRealmView;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Clients → a client → "AAuth": the client attributes {@link KeycloakRealmView} reads, plus the two
 * client properties AAuth uses (consent required, optional client scopes = the scopes an agent may get).
 */
public final class ClientSettingsTab extends SettingsTabFactory {

    public static final String ID = "AAuth";
    /** The console's route parameter naming the client (its internal id). */
    static final String CLIENT_PARAM = "clientId";
    /** Client properties, addressed by names no attribute can have. */
    static final String CONSENT_REQUIRED = "#consentRequired";
    static final String OPTIONAL_SCOPES = "#optionalScopes";

    static final List<SettingField> FIELDS = List.of(
            new SettingField("agent", KeycloakRealmView.AGENT_ATTRIBUTE, SettingField.Kind.FLAG, "AAuth agent",
                    "This client is an AAuth agent; its client ID is the agent's URL."),
            new SettingField("resource", KeycloakRealmView.RESOURCE_ATTRIBUTE, SettingField.Kind.FLAG, "AAuth resource",
                    "This client is an AAuth resource; its client ID is the resource's URL."),
            new SettingField("consentRequired", CONSENT_REQUIRED, SettingField.Kind.FLAG, "User approval required",
                    "Requests from this agent wait for the user's approval (Keycloak's Consent required)."),
            new SettingField("optionalScopes", OPTIONAL_SCOPES, SettingField.Kind.LIST, "Scopes",
                    "The scopes this agent may obtain: the client's optional client scopes, by name."),
            new SettingField("chainScopes", KeycloakRealmView.CHAIN_SCOPES_ATTRIBUTE, SettingField.Kind.LIST, "Chain scopes",
                    "Scopes this client may obtain when it calls on with a user's upstream token, without asking the user."));

    @Override
    List<SettingField> fields() {
        return FIELDS;
    }

    @Override
    SettingsStore store(KeycloakSession session, RealmModel realm, ComponentModel model) {
        String id = model.getConfig().getFirst(CLIENT_PARAM);
        ClientModel client = id == null ? null : realm.getClientById(id);
        if (client == null) {
            throw new ComponentValidationException("AAuth: no client " + id + " in realm " + realm.getName());
        }
        return new ClientStore(realm, client);
    }

    /**
     * The console keeps one form for every client of the realm, so it keeps no values: the tab opens
     * at "unchanged" for whichever client is shown, and a save writes only what the admin chose.
     */
    @Override
    Map<String, String> kept(SettingsStore store) {
        return Map.of();
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "AAuth settings of a client, stored as its aauth.* attributes.";
    }

    @Override
    public String getPath() {
        return "/:realm/clients/:clientId/:tab";
    }

    @Override
    public Map<String, String> getParams() {
        return Map.of(TAB_PARAM, "aauth");
    }

    /** A client's attributes, consent-required flag and optional client scopes. */
    record ClientStore(RealmModel realm, ClientModel client) implements SettingsStore {
        @Override
        public String get(String attribute) {
            return switch (attribute) {
                case CONSENT_REQUIRED -> client.isConsentRequired() ? "true" : null;
                case OPTIONAL_SCOPES -> SettingField.toJsonArray(List.copyOf(client.getClientScopes(false).keySet()));
                default -> client.getAttribute(attribute);
            };
        }

        @Override
        public void set(String attribute, String value) {
            switch (attribute) {
                case CONSENT_REQUIRED -> client.setConsentRequired("true".equals(value));
                case OPTIONAL_SCOPES -> setOptionalScopes(RealmSettings.parseList(value));
                default -> client.setAttribute(attribute, value);
            }
        }

        @Override
        public void remove(String attribute) {
            switch (attribute) {
                case CONSENT_REQUIRED -> client.setConsentRequired(false);
                case OPTIONAL_SCOPES -> setOptionalScopes(Set.of());
                default -> client.removeAttribute(attribute);
            }
        }

        private void setOptionalScopes(Set<String> names) {
            List<ClientScopeModel> wanted = new ArrayList<>();
            for (String name : names) {
                ClientScopeModel scope = realm.getClientScopesStream().filter(s -> name.equals(s.getName())).findFirst().orElse(null);
                if (scope == null) {
                    throw new ComponentValidationException("Scopes: no client scope named " + name + " in realm " + realm.getName());
                }
                wanted.add(scope);
            }
            for (ClientScopeModel present : client.getClientScopes(false).values()) {
                if (!names.contains(present.getName())) {
                    client.removeClientScope(present);
                }
            }
            Set<String> present = client.getClientScopes(false).keySet();
            for (ClientScopeModel scope : wanted) {
                if (!present.contains(scope.getName())) {
                    client.addClientScope(scope, false);
                }
            }
        }
    }
}
