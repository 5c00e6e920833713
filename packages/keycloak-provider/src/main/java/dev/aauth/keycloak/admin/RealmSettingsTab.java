package dev.aauth.keycloak.admin;

import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.List;
import java.util.Map;

/** Realm settings → "AAuth realm": the realm attributes {@code dev.aauth.keycloak.config.RealmSettings} reads. */
public final class RealmSettingsTab extends SettingsTabFactory {

    public static final String ID = "AAuth realm";

    static final List<SettingField> FIELDS = List.of(
            new SettingField("signatureWindow", "aauth.signatureWindow", SettingField.Kind.SECONDS, "Signature window (s)",
                    "How far a request's signature created time may be from now (default 60)."),
            new SettingField("maxAuthAge", "aauth.maxAuthAge", SettingField.Kind.SECONDS, "Maximum approval age (s)",
                    "After this long since the user signed in, refreshing a user's token needs a new approval (default 36000)."),
            new SettingField("refreshWindow", "aauth.refreshWindow", SettingField.Kind.SECONDS, "Refresh window (s)",
                    "How long after its expiry an auth token may still be refreshed (default 86400)."),
            new SettingField("pendingLifespan", "aauth.pendingLifespan", SettingField.Kind.SECONDS, "Pending request lifespan (s)",
                    "How long a request waiting for the user stays pollable (default 600)."),
            new SettingField("trustedIssuers", "aauth.trustedIssuers", SettingField.Kind.LIST, "Trusted issuers",
                    "Other auth servers whose tokens this realm accepts as upstream tokens (issuer URLs)."),
            new SettingField("consentScopes", "aauth.consentScopes", SettingField.Kind.LIST, "Consent scopes",
                    "Scopes that always need the user's approval, even for agents without consent required."),
            new SettingField("allowLoopback", "aauth.allowLoopback", SettingField.Kind.FLAG, "Allow loopback fetches",
                    "Let the server fetch agent and resource metadata from loopback addresses (development only)."),
            new SettingField("allowPrivateNetwork", "aauth.allowPrivateNetwork", SettingField.Kind.FLAG, "Allow private-network fetches",
                    "Let the server fetch agent and resource metadata from private addresses."));

    @Override
    List<SettingField> fields() {
        return FIELDS;
    }

    @Override
    SettingsStore store(KeycloakSession session, RealmModel realm, ComponentModel model) {
        return SettingsStore.of(realm::getAttribute, realm::setAttribute, realm::removeAttribute);
    }

    @Override
    Map<String, String> kept(SettingsStore store) {
        return SettingsBridge.shown(FIELDS, store);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "AAuth settings of this realm, stored as its aauth.* attributes.";
    }

    @Override
    public String getPath() {
        return "/:realm/realm-settings/:tab";
    }

    @Override
    public Map<String, String> getParams() {
        return Map.of(TAB_PARAM, "aauth");
    }
}
