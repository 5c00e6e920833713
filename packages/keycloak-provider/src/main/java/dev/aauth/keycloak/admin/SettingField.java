package dev.aauth.keycloak.admin;

import dev.aauth.keycloak.config.RealmSettings;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.util.JsonSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One AAuth setting as the admin console's form shows it and as the attribute the provider reads.
 * The form never shows a value the admin did not choose: a blank text field or the choice
 * {@value #UNCHANGED} leaves the attribute as it is, {@value #DEFAULT} removes it (the provider's
 * default applies again) and {@value #NONE} stores an empty list.
 *
 * @param formName  the form field (no dots: the console turns dots in field names into nested objects)
 * @param attribute the realm or client attribute the provider reads, or null for a client property
 */
public record SettingField(String formName, String attribute, Kind kind, String label, String help) {

    public enum Kind { FLAG, SECONDS, LIST }

    public static final String UNCHANGED = "unchanged";
    public static final String ON = "on";
    public static final String OFF = "off";
    public static final String DEFAULT = "default";
    public static final String NONE = "none";

    /** The value to store for a submitted form value: null leaves the setting unchanged. */
    public Change change(String submitted) {
        String v = submitted == null ? "" : submitted.trim();
        if (v.isEmpty() || UNCHANGED.equals(v)) {
            return null;
        }
        if (DEFAULT.equals(v)) {
            return Change.REMOVE;
        }
        return switch (kind) {
            case FLAG -> switch (v) {
                case ON, "true" -> Change.set("true");
                case OFF, "false" -> Change.REMOVE;
                default -> throw new IllegalArgumentException(label + ": choose " + ON + ", " + OFF + " or " + UNCHANGED);
            };
            case SECONDS -> {
                try {
                    long n = Long.parseLong(v);
                    if (n <= 0) {
                        throw new NumberFormatException();
                    }
                    yield Change.set(Long.toString(n));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(label + ": a positive number of seconds, \"" + DEFAULT + "\" or blank");
                }
            }
            case LIST -> Change.set(toJsonArray(NONE.equals(v) ? List.of() : words(v)));
        };
    }

    /** How the form shows a stored value (the reverse of {@link #change}). */
    public String shown(String stored) {
        if (stored == null) {
            return kind == Kind.FLAG ? OFF : "";
        }
        return switch (kind) {
            case FLAG -> "true".equals(stored) ? ON : OFF;
            case SECONDS -> stored;
            case LIST -> {
                Set<String> items = RealmSettings.parseList(stored);
                yield items == null ? stored : items.isEmpty() ? NONE : String.join(" ", items);
            }
        };
    }

    public ProviderConfigProperty property() {
        ProviderConfigProperty p = new ProviderConfigProperty();
        p.setName(formName);
        p.setLabel(label);
        if (kind == Kind.FLAG) {
            p.setType(ProviderConfigProperty.LIST_TYPE);
            p.setOptions(List.of(UNCHANGED, ON, OFF));
            p.setDefaultValue(UNCHANGED);
            p.setHelpText(help + " (\"" + UNCHANGED + "\" keeps the current value.)");
        } else {
            p.setType(ProviderConfigProperty.STRING_TYPE);
            p.setHelpText(help + (kind == Kind.LIST
                    ? " Separate values by spaces or commas; \"" + NONE + "\" for an empty list, \"" + DEFAULT + "\" to remove the setting, blank keeps the current value."
                    : " \"" + DEFAULT + "\" removes the setting, blank keeps the current value."));
        }
        return p;
    }

    static List<String> words(String v) {
        List<String> out = new ArrayList<>();
        for (String w : v.split("[\\s,]+")) {
            if (!w.isEmpty() && !out.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    static String toJsonArray(List<String> items) {
        try {
            return JsonSerialization.writeValueAsString(items);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A write to one setting: a new value, or its removal. */
    public record Change(String value) {
        public static final Change REMOVE = new Change(null);

        static Change set(String value) {
            return new Change(value);
        }
    }
}
