package dev.aauth.keycloak.signature;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two off-standard spellings some peers write, read only where the signature still verifies over
 * exactly the same signature base; never written (contract "Request signature").
 *
 * <ul>
 *   <li>{@code Signature} bytes in unpadded base64url (RFC 4648 §5) instead of RFC 8941 §3.3.5
 *       base64: the field is not covered by the signature, so the same bytes read from another
 *       alphabet change nothing that is verified.</li>
 *   <li>{@code Signature-Key} as {@code sig=(scheme=hwk kty="OKP" ...)}: not RFC 8941, but the
 *       signature covers the field's raw text, so the key it names is the key that signed that text.
 *       One strict shape: one member, lowercase label, {@code scheme=<token>} first, then
 *       {@code name="string"} pairs without escapes, no name twice.</li>
 * </ul>
 */
final class PeerSpellings {

    private static final Pattern URLSAFE_MEMBER = Pattern.compile("([a-z*][a-z0-9_\\-.*]*)=:([A-Za-z0-9_-]+):");
    private static final Pattern PARENTHESISED = Pattern.compile(
            "([a-z*][a-z0-9_\\-.*]*)=\\(scheme=([A-Za-z][A-Za-z0-9_\\-.]*)((?: +[a-z][a-z0-9_\\-.]*=\"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*\")*) *\\)");
    private static final Pattern PAIR = Pattern.compile(" +([a-z][a-z0-9_\\-.]*)=\"([^\"]*)\"");

    private PeerSpellings() {
    }

    /** The RFC 8941 spelling of an all-base64url {@code Signature} field, or null. */
    static String standardBase64Signature(String header) {
        StringBuilder out = new StringBuilder();
        for (String member : header.split(",", -1)) {
            Matcher m = URLSAFE_MEMBER.matcher(member.trim());
            if (!m.matches()) {
                return null;
            }
            byte[] bytes;
            try {
                bytes = Base64.getUrlDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                return null;
            }
            // One text per byte string: refuse non-zero padding bits, as a strict base64 reader would.
            if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(m.group(2))) {
                return null;
            }
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(m.group(1)).append("=:").append(Base64.getEncoder().encodeToString(bytes)).append(':');
        }
        return out.toString();
    }

    /** The RFC 8941 spelling ({@code sig=hwk;kty="OKP";...}) of a parenthesised member, or null. */
    static String rfc8941FromParenthesised(String header) {
        Matcher m = PARENTHESISED.matcher(header.trim());
        if (!m.matches()) {
            return null;
        }
        StringBuilder out = new StringBuilder(m.group(1)).append('=').append(m.group(2));
        Set<String> names = new HashSet<>();
        Matcher pair = PAIR.matcher(m.group(3));
        while (pair.find()) {
            if (!names.add(pair.group(1))) {
                return null;
            }
            out.append(';').append(pair.group(1)).append("=\"").append(pair.group(2)).append('"');
        }
        return out.toString();
    }
}
