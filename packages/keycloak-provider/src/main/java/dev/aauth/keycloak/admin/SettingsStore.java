package dev.aauth.keycloak.admin;

/** Where a tab's settings live: a realm's or a client's attributes (plus, for clients, two client properties). */
public interface SettingsStore {
    String get(String attribute);

    void set(String attribute, String value);

    void remove(String attribute);
}
