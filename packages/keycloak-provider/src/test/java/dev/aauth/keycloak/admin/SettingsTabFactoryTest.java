package dev.aauth.keycloak.admin;

import org.junit.jupiter.api.Test;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Keycloak does with a tab's save: it calls validateConfiguration with the form (plus the console's
 * route parameters) and then stores the component as the method left it.
 */
class SettingsTabFactoryTest {

    /** A realm or client reduced to its attributes (and, for a realm, one client). */
    private static <T> T withAttributes(Class<T> type, Map<String, String> attributes, ClientModel client) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> switch (method.getName()) {
            case "getAttribute" -> attributes.get((String) args[0]);
            case "setAttribute" -> attributes.put((String) args[0], (String) args[1]);
            case "removeAttribute" -> attributes.remove((String) args[0]);
            case "getClientById" -> "client-uuid".equals(args[0]) ? client : null;
            case "getName" -> "r";
            default -> throw new UnsupportedOperationException(method.getName());
        }));
    }

    private static ComponentModel save(Map<String, String> form) {
        ComponentModel model = new ComponentModel();
        MultivaluedHashMap<String, String> config = new MultivaluedHashMap<>();
        form.forEach(config::putSingle);
        model.setConfig(config);
        return model;
    }

    @Test
    void realmTabSaveWritesRealmAttributesAndKeepsWhatItShows() {
        Map<String, String> attributes = new HashMap<>(Map.of("aauth.refreshWindow", "100"));
        RealmModel realm = withAttributes(RealmModel.class, attributes, null);
        ComponentModel model = save(Map.of("realm", "r", "tab", "aauth", "signatureWindow", "30", "consentScopes", "a b"));
        new RealmSettingsTab().validateConfiguration(null, realm, model);
        assertEquals(Map.of("aauth.refreshWindow", "100", "aauth.signatureWindow", "30", "aauth.consentScopes", "[\"a\",\"b\"]"), attributes);
        assertEquals("30", model.getConfig().getFirst("signatureWindow"));
        assertEquals("100", model.getConfig().getFirst("refreshWindow"));
        assertEquals("a b", model.getConfig().getFirst("consentScopes"));
        assertNull(model.getConfig().getFirst("tab"));
    }

    @Test
    void clientTabSaveMarksTheRoutedClientAndKeepsNoValues() {
        Map<String, String> clientAttributes = new HashMap<>();
        ClientModel client = withAttributes(ClientModel.class, clientAttributes, null);
        RealmModel realm = withAttributes(RealmModel.class, new HashMap<>(), client);
        ComponentModel model = save(Map.of("realm", "r", "tab", "aauth", "clientId", "client-uuid", "agent", "on", "resource", "unchanged"));
        new ClientSettingsTab().validateConfiguration(null, realm, model);
        assertEquals(Map.of("aauth.agent", "true"), clientAttributes);
        assertTrue(model.getConfig().isEmpty(), "the shared form keeps no client's values");
        // Keycloak validates an update again with the model the first run left: that run changes nothing.
        clientAttributes.clear();
        new ClientSettingsTab().validateConfiguration(null, realm, model);
        assertTrue(clientAttributes.isEmpty());
    }

    @Test
    void aBadValueIsAComponentValidationError() {
        RealmModel realm = withAttributes(RealmModel.class, new HashMap<>(), null);
        ComponentValidationException e = assertThrows(ComponentValidationException.class,
                () -> new RealmSettingsTab().validateConfiguration(null, realm, save(Map.of("tab", "aauth", "maxAuthAge", "soon"))));
        assertTrue(e.getMessage().startsWith("Maximum approval age"), e.getMessage());
        assertThrows(ComponentValidationException.class,
                () -> new ClientSettingsTab().validateConfiguration(null, realm, save(Map.of("tab", "aauth", "clientId", "missing", "agent", "on"))));
    }

    @Test
    void anImportedComponentWritesNothing() {
        Map<String, String> attributes = new HashMap<>(Map.of("aauth.signatureWindow", "45"));
        RealmModel realm = withAttributes(RealmModel.class, attributes, null);
        ComponentModel model = save(Map.of("signatureWindow", "30"));
        new RealmSettingsTab().validateConfiguration(null, realm, model);
        new ClientSettingsTab().validateConfiguration(null, realm, save(Map.of()));
        assertEquals(Map.of("aauth.signatureWindow", "45"), attributes);
        assertEquals("30", model.getConfig().getFirst("signatureWindow"));
    }
}
