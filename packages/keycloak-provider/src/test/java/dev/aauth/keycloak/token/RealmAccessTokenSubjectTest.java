package dev.aauth.keycloak.token;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.signature.PublicJwk;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The realm's own OIDC access token (Keycloak's normal login: header typ JWT, claim typ Bearer) as a
 * token-exchange subject token (docs/auth-server-contract.md, "RFC 8693 token exchange"): accepted from
 * this realm with {@code azp} as the party it was issued to; refused from any other issuer, as an ID token,
 * or expired.
 */
class RealmAccessTokenSubjectTest {

    private static final long NOW = 1_730_217_600L;
    private static final String REALM = "https://kc.example/realms/a";
    private static final String TRUSTED = "https://kc.example/realms/b";
    private static final KeyPair KEYS = rsa();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(BigInteger n) {
        byte[] b = n.toByteArray();
        if (b[0] == 0) {
            b = java.util.Arrays.copyOfRange(b, 1, b.length);
        }
        return B64.encodeToString(b);
    }

    private static final IssuerKeys REALM_KEYS = (iss, kid) -> {
        RSAPublicKey pub = (RSAPublicKey) KEYS.getPublic();
        return PublicJwk.parse(Map.of("kty", "RSA", "n", b64(pub.getModulus()), "e", b64(pub.getPublicExponent())));
    };

    private static String token(String typ, String claims) throws Exception {
        String header = B64.encodeToString(("{\"alg\":\"RS256\",\"typ\":\"" + typ + "\",\"kid\":\"rk\"}").getBytes(StandardCharsets.UTF_8));
        String payload = B64.encodeToString(("{" + claims + "}").getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(KEYS.getPrivate());
        s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        return header + "." + payload + "." + B64.encodeToString(s.sign());
    }

    private static String claims(String iss, String typ, long exp) {
        return "\"iss\":\"" + iss + "\",\"sub\":\"user-1\",\"aud\":[\"account\",\"calendar\"],\"azp\":\"web-login\",\"typ\":\"" + typ
                + "\",\"sid\":\"s-1\",\"iat\":" + (NOW - 10) + ",\"exp\":" + exp + ",\"may_act\":{\"sub\":\"https://agent.example\"}";
    }

    private static SubjectTokenVerifier.Verified verify(String token) {
        return new SubjectTokenVerifier(REALM_KEYS).verify(token, REALM, Set.of(TRUSTED), NOW);
    }

    @Test
    @DisplayName("Given the realm's own OIDC access token then it is a subject token: user sub, issued to azp, may_act, and marked for the liveness check")
    void realmAccessTokenAccepted() throws Exception {
        SubjectTokenVerifier.Verified v = verify(token("JWT", claims(REALM, "Bearer", NOW + 300)));
        assertEquals("user-1", v.subject().sub());
        assertEquals("web-login", v.subject().aud());
        assertEquals("https://agent.example", v.subject().mayAct().get("sub").asText());
        assertTrue(v.realmAccessToken());
        assertEquals(REALM, v.iss());
    }

    @Test
    @DisplayName("Given another realm's OIDC access token, even a trusted issuer's, then invalid_grant")
    void otherRealmAccessTokenRefused() throws Exception {
        AAuthException e = assertThrows(AAuthException.class, () -> verify(token("JWT", claims(TRUSTED, "Bearer", NOW + 300))));
        assertEquals(AAuthError.INVALID_GRANT, e.error());
    }

    @Test
    @DisplayName("Given the realm's ID token (claim typ ID) then invalid_grant")
    void idTokenRefused() throws Exception {
        AAuthException e = assertThrows(AAuthException.class, () -> verify(token("JWT", claims(REALM, "ID", NOW + 300))));
        assertEquals(AAuthError.INVALID_GRANT, e.error());
    }

    @Test
    @DisplayName("Given an expired realm access token then invalid_grant")
    void expiredAccessTokenRefused() throws Exception {
        AAuthException e = assertThrows(AAuthException.class, () -> verify(token("JWT", claims(REALM, "Bearer", NOW - 1))));
        assertEquals(AAuthError.INVALID_GRANT, e.error());
    }
}
