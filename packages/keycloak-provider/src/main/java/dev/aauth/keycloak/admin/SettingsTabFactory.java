package dev.aauth.keycloak.admin;

import org.keycloak.Config;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.ui.extend.UiTabProviderFactory;

import java.util.List;
import java.util.Map;

/**
 * An AAuth tab in the admin console (Keycloak's declarative UI, feature {@code declarative-ui}).
 * The console saves a tab's form as one component per realm and tab; this factory's
 * {@link #validateConfiguration} runs in the same transaction before the component is stored, writes
 * the form into the attributes the provider reads, and replaces what the component keeps.
 */
abstract class SettingsTabFactory implements UiTabProviderFactory<Object> {

    abstract List<SettingField> fields();

    /** The realm or client the saved form is for, from the route parameters the console adds to it. */
    abstract SettingsStore store(KeycloakSession session, RealmModel realm, ComponentModel model);

    /**
     * What the component keeps for the form to show next time: the current settings when the tab has
     * one target per realm, nothing when it is shared by every client of the realm.
     */
    abstract Map<String, String> kept(SettingsStore store);

    /** A route parameter the console adds to every save of a tab (its value is the tab's path segment). */
    static final String TAB_PARAM = "tab";

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model) {
        if (model.getConfig() == null || model.getConfig().getFirst(TAB_PARAM) == null) {
            // Not a save from the console: a realm import of an exported component (stored as it is,
            // the attributes imported beside it stay authoritative), or a second validation of the
            // same save (Keycloak validates an update in more than one layer; the first run replaced
            // the config, route parameters included).
            return;
        }
        SettingsStore store = store(session, realm, model);
        try {
            SettingsBridge.apply(fields(), model.getConfig()::getFirst, store);
        } catch (IllegalArgumentException e) {
            throw new ComponentValidationException(e.getMessage());
        }
        MultivaluedHashMap<String, String> config = new MultivaluedHashMap<>();
        kept(store).forEach(config::putSingle);
        model.setConfig(config);
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return fields().stream().map(SettingField::property).toList();
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
