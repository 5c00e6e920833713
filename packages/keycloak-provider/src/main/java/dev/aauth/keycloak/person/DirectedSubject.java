package dev.aauth.keycloak.person;

import org.keycloak.common.util.Base64Url;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The directed {@code sub} of a person at a resource (draft-hardt-oauth-aauth-protocol §Person Token
 * Structure, §Directed Identifiers): {@code base64url(HMAC-SHA256(secret, userId + "\n" + resource))},
 * unpadded. Stable for a (person, resource) pair while the realm secret stays the same, opaque, and
 * different at every resource, so two resources cannot correlate a person by comparing values.
 * The same derivation as the embedded Person Server (docs/profile-current.md "Directed subject").
 */
public final class DirectedSubject {

    private DirectedSubject() {
    }

    public static String of(byte[] secret, String userId, String resource) {
        if (secret == null || secret.length < 32) {
            throw new IllegalArgumentException("the directed-subject secret must be at least 32 bytes");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Base64Url.encode(mac.doFinal((userId + "\n" + resource).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
