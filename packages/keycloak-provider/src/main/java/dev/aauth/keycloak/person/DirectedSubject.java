package dev.aauth.keycloak.person;

import org.keycloak.common.util.Base64Url;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The directed {@code sub} of a person at a resource (draft-hardt-oauth-aauth-protocol §Person Token
 * Structure, §Directed Identifiers; docs/person-server-contract.md "Directed subject"):
 * {@code base64url(HMAC-SHA256(key = aauth.pairwiseSalt, message = resource ‖ 0x00 ‖ user id))},
 * unpadded. The same for a person at a resource whatever the agent or key, different per resource,
 * never the user id; the embedded Person Server derives it the same way.
 */
public final class DirectedSubject {

    /** Below this the key is too short to keep the user ids it hides from being guessed. */
    static final int MIN_KEY_BYTES = 16;

    private DirectedSubject() {
    }

    public static String of(byte[] key, String resource, String userId) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("aauth.pairwiseSalt must be at least " + MIN_KEY_BYTES + " bytes");
        }
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(resource.getBytes(StandardCharsets.UTF_8));
        message.write(0);
        message.writeBytes(userId.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64Url.encode(mac.doFinal(message.toByteArray()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
