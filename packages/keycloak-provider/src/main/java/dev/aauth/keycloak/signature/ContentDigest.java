package dev.aauth.keycloak.signature;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * RFC 9530 §2: {@code Content-Digest} over the raw body bytes. The contract accepts sha-256 and sha-512;
 * at least one of them must be present and every one present must match. Other algorithms are ignored.
 */
public final class ContentDigest {

    private ContentDigest() {
    }

    public static void check(String headerValue, byte[] body) {
        if (headerValue == null || headerValue.isBlank()) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "A request with a body needs a Content-Digest header.");
        }
        Map<String, StructuredFields.Member> dict;
        try {
            dict = StructuredFields.parseDictionary(headerValue.trim());
        } catch (StructuredFields.ParseException e) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Content-Digest is not a structured dictionary: " + e.getMessage() + ".");
        }
        boolean checked = false;
        for (Map.Entry<String, StructuredFields.Member> e : dict.entrySet()) {
            String jca = switch (e.getKey()) {
                case "sha-256" -> "SHA-256";
                case "sha-512" -> "SHA-512";
                default -> null;
            };
            if (jca == null) {
                continue;
            }
            if (!(e.getValue() instanceof StructuredFields.Item item) || !(item.value() instanceof StructuredFields.ByteSequence bs)) {
                throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Content-Digest " + e.getKey() + " is not a byte sequence.");
            }
            if (!MessageDigest.isEqual(digest(jca, body), bs.bytes())) {
                throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Content-Digest " + e.getKey() + " does not match the body.");
            }
            checked = true;
        }
        if (!checked) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Content-Digest must use sha-256 or sha-512.");
        }
    }

    static byte[] digest(String jca, byte[] body) {
        try {
            return MessageDigest.getInstance(jca).digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
