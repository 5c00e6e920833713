package dev.aauth.keycloak.person;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Interaction codes of the current profile (draft-hardt-oauth-aauth-protocol §Interaction Code Format):
 * 8 Crockford base32 symbols (40 bits) from a secure random source, shown as {@code XXXX-XXXX}.
 * On input hyphens and spaces are dropped, case is folded, and the decode aliases {@code I}/{@code L}
 * → {@code 1} and {@code O} → {@code 0} are applied before comparison.
 */
public final class InteractionCode {

    static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private InteractionCode() {
    }

    /** A new code without its grouping hyphen (the stored form). */
    public static String newCode() {
        StringBuilder sb = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** The displayed form: a hyphen after the fourth symbol. */
    public static String display(String code) {
        return code.length() == 8 ? code.substring(0, 4) + "-" + code.substring(4) : code;
    }

    /** The stored form of a code as a user typed it; null when it cannot be a code. */
    public static String normalize(String typed) {
        if (typed == null) {
            return null;
        }
        String s = typed.replaceAll("[-\\s]", "").toUpperCase(Locale.ROOT)
                .replace('I', '1').replace('L', '1').replace('O', '0');
        for (int i = 0; i < s.length(); i++) {
            if (ALPHABET.indexOf(s.charAt(i)) < 0) {
                return null;
            }
        }
        return s.length() == 8 ? s : null;
    }
}
