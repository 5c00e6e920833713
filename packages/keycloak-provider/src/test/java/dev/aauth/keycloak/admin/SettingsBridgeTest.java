package dev.aauth.keycloak.admin;

import dev.aauth.keycloak.config.RealmSettings;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin console's AAuth tabs write exactly the attributes the provider reads, in the form it parses. */
class SettingsBridgeTest {

    /** Attributes in a map, as a realm or client keeps them. */
    static final class MapStore {
        final Map<String, String> attributes = new HashMap<>();
        final SettingsStore store = SettingsStore.of(attributes::get, attributes::put, attributes::remove);

        String get(String attribute) {
            return attributes.get(attribute);
        }

        void set(String attribute, String value) {
            attributes.put(attribute, value);
        }
    }

    @Test
    void realmTabWritesTheRealmAttributesRealmSettingsReads() {
        MapStore realm = new MapStore();
        SettingsBridge.apply(RealmSettingsTab.FIELDS, Map.of(
                "signatureWindow", "30",
                "maxAuthAge", "3600",
                "trustedIssuers", "https://as.example, https://other.example",
                "consentScopes", "calendar.write",
                "allowLoopback", "on")::get, realm.store);
        assertEquals(Map.of(
                "aauth.signatureWindow", "30",
                "aauth.maxAuthAge", "3600",
                "aauth.trustedIssuers", "[\"https://as.example\",\"https://other.example\"]",
                "aauth.consentScopes", "[\"calendar.write\"]",
                "aauth.allowLoopback", "true"), realm.attributes);
        // The provider's own parser reads the lists back.
        assertEquals(Set.of("https://as.example", "https://other.example"), RealmSettings.parseList(realm.get("aauth.trustedIssuers")));
    }

    @Test
    void everyRealmAttributeTheProviderReadsHasAField() {
        Set<String> attributes = new java.util.HashSet<>();
        RealmSettingsTab.FIELDS.forEach(f -> attributes.add(f.attribute()));
        assertEquals(Set.of("aauth.signatureWindow", "aauth.refreshWindow", "aauth.pendingLifespan", "aauth.maxAuthAge",
                "aauth.allowLoopback", "aauth.allowPrivateNetwork", "aauth.trustedIssuers", "aauth.consentScopes"), attributes);
    }

    @Test
    void clientTabMarksAnAgentWithTheAttributeTheRealmViewReads() {
        MapStore client = new MapStore();
        SettingsBridge.apply(ClientSettingsTab.FIELDS, Map.of("agent", "on", "resource", "unchanged", "chainScopes", "availability.read")::get, client.store);
        assertEquals(Map.of("aauth.agent", "true", "aauth.chainScopes", "[\"availability.read\"]"), client.attributes);
        SettingsBridge.apply(ClientSettingsTab.FIELDS, Map.of("agent", "off")::get, client.store);
        assertNull(client.get("aauth.agent"));
        assertEquals("[\"availability.read\"]", client.get("aauth.chainScopes"));
    }

    @Test
    void blankOrUnchangedLeavesAnAttributeSetElsewhereAlone() {
        MapStore realm = new MapStore();
        realm.set("aauth.signatureWindow", "45");
        realm.set("aauth.allowPrivateNetwork", "true");
        SettingsBridge.apply(RealmSettingsTab.FIELDS, Map.of("signatureWindow", " ", "allowPrivateNetwork", "unchanged")::get, realm.store);
        assertEquals(Map.of("aauth.signatureWindow", "45", "aauth.allowPrivateNetwork", "true"), realm.attributes);
    }

    @Test
    void defaultRemovesAndNoneStoresAnEmptyList() {
        MapStore realm = new MapStore();
        realm.set("aauth.signatureWindow", "45");
        realm.set("aauth.trustedIssuers", "[\"https://as.example\"]");
        SettingsBridge.apply(RealmSettingsTab.FIELDS, Map.of("signatureWindow", "default", "trustedIssuers", "none")::get, realm.store);
        assertFalse(realm.attributes.containsKey("aauth.signatureWindow"));
        assertEquals("[]", realm.get("aauth.trustedIssuers"));
    }

    @Test
    void aBadValueIsRefusedByNameAndNothingIsWritten() {
        MapStore realm = new MapStore();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SettingsBridge.apply(RealmSettingsTab.FIELDS,
                Map.of("consentScopes", "calendar.write", "signatureWindow", "-5")::get, realm.store));
        assertTrue(e.getMessage().startsWith("Signature window"), e.getMessage());
        assertTrue(realm.attributes.isEmpty());
        assertThrows(IllegalArgumentException.class, () -> SettingsBridge.apply(ClientSettingsTab.FIELDS, Map.of("agent", "yes")::get, new MapStore().store));
    }

    @Test
    void theRealmTabShowsTheStoredAttributesBack() {
        MapStore realm = new MapStore();
        realm.set("aauth.signatureWindow", "30");
        realm.set("aauth.consentScopes", "[\"calendar.write\",\"calendar.delete\"]");
        realm.set("aauth.trustedIssuers", "[]");
        Map<String, String> shown = SettingsBridge.shown(RealmSettingsTab.FIELDS, realm.store);
        assertEquals("30", shown.get("signatureWindow"));
        assertEquals("", shown.get("maxAuthAge"));
        assertEquals("calendar.write calendar.delete", shown.get("consentScopes"));
        assertEquals("none", shown.get("trustedIssuers"));
        assertEquals("off", shown.get("allowLoopback"));
        // Saving what is shown changes nothing.
        Map<String, String> before = new HashMap<>(realm.attributes);
        SettingsBridge.apply(RealmSettingsTab.FIELDS, shown::get, realm.store);
        assertEquals(before, realm.attributes);
    }

    @Test
    void formNamesHaveNoDots() {
        // The console turns a dotted field name into nested form values, which would not come back as config keys.
        RealmSettingsTab.FIELDS.forEach(f -> assertFalse(f.formName().contains("."), f.formName()));
        ClientSettingsTab.FIELDS.forEach(f -> assertFalse(f.formName().contains("."), f.formName()));
    }
}
