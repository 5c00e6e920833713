package dev.aauth.keycloak.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Applies a saved admin-console form to the attributes the provider reads, and shows those attributes
 * back in the form's terms. The console stores a tab's form as one component per realm; the provider
 * never reads that component, only the attributes written here.
 */
public final class SettingsBridge {

    private SettingsBridge() {
    }

    /**
     * Validates every field first, then writes: a form with one bad value changes nothing.
     *
     * @throws IllegalArgumentException naming the field and what it accepts
     */
    public static void apply(List<SettingField> fields, Function<String, String> form, SettingsStore store) {
        Map<SettingField, SettingField.Change> changes = new LinkedHashMap<>();
        for (SettingField f : fields) {
            SettingField.Change c = f.change(form.apply(f.formName()));
            if (c != null) {
                changes.put(f, c);
            }
        }
        changes.forEach((f, c) -> {
            if (c.value() == null) {
                store.remove(f.attribute());
            } else {
                store.set(f.attribute(), c.value());
            }
        });
    }

    /** The form values that show the store's current settings. */
    public static Map<String, String> shown(List<SettingField> fields, SettingsStore store) {
        Map<String, String> out = new LinkedHashMap<>();
        for (SettingField f : fields) {
            out.put(f.formName(), f.shown(store.get(f.attribute())));
        }
        return out;
    }
}
