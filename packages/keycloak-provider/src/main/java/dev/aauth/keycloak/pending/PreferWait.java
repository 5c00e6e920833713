package dev.aauth.keycloak.pending;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code wait} preference of RFC 7240 (§4.3) on a poll (draft-hardt-aauth c465b2d §Deferred
 * Responses): {@code Prefer: wait=N} asks the server to hold the response up to N seconds. Preference
 * names are case-insensitive, a preference may carry {@code ;parameters}, a value may be quoted, and
 * only the first instance of a preference counts (RFC 7240 §2).
 */
public final class PreferWait {

    private PreferWait() {
    }

    /** The requested seconds, or -1 when no field line has a well-formed {@code wait}. */
    public static long parse(List<String> fieldLines) {
        for (String line : fieldLines) {
            for (String preference : split(line, ',')) {
                String head = split(preference, ';').get(0).trim();
                int eq = head.indexOf('=');
                String name = (eq < 0 ? head : head.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                if (!name.equals("wait")) {
                    continue;
                }
                if (eq < 0) {
                    return -1;
                }
                String value = head.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.matches("[0-9]{1,12}") ? Long.parseLong(value) : -1;
            }
        }
        return -1;
    }

    /** {@code wait=N} for {@code Preference-Applied}. */
    public static String applied(long seconds) {
        return "wait=" + seconds;
    }

    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
