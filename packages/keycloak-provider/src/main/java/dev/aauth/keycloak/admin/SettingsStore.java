package dev.aauth.keycloak.admin;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/** Where a tab's settings live: a realm's or a client's attributes (plus, for clients, two client properties). */
public interface SettingsStore {
    String get(String attribute);

    void set(String attribute, String value);

    void remove(String attribute);

    /** A store over plain attribute accessors (a realm's, or a map's in tests). */
    static SettingsStore of(Function<String, String> get, BiConsumer<String, String> set, Consumer<String> remove) {
        return new SettingsStore() {
            @Override
            public String get(String attribute) {
                return get.apply(attribute);
            }

            @Override
            public void set(String attribute, String value) {
                set.accept(attribute, value);
            }

            @Override
            public void remove(String attribute) {
                remove.accept(attribute);
            }
        };
    }
}
