package dev.aauth.keycloak.person;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.keycloak.common.util.Base64Url;
import org.keycloak.util.JsonSerialization;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * §Upstream Token Verification steps 1–3 at the Person Server: only an {@code aa-auth+jwt} this PS
 * signed with its own keys, unexpired, issued to the resource that now signs as agent, is accepted;
 * everything else is {@code 400 invalid_request}.
 */
class UpstreamTokensTest {

    private static final long NOW = 1_000_000;
    private static final String ISSUER = "http://127.0.0.1:8180/realms/aauth-ps";
    private static final String INTERMEDIARY = "http://supply-chain.localhost:9002";

    private final KeyPair own = keyPair();
    private final KeyPair foreign = keyPair();
    private final Function<String, PublicKey> ownKeys = kid -> "ps-1".equals(kid) ? own.getPublic() : null;

    private static KeyPair keyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String token(KeyPair key, Consumer<ObjectNode> header, Consumer<ObjectNode> claims) throws Exception {
        ObjectNode h = JsonSerialization.mapper.createObjectNode().put("alg", "Ed25519").put("typ", "aa-auth+jwt").put("kid", "ps-1");
        header.accept(h);
        ObjectNode c = JsonSerialization.mapper.createObjectNode().put("iss", ISSUER).put("dwk", "aauth-person.json").put("aud", INTERMEDIARY)
                .put("ps", ISSUER).put("sub", "directed-sub").put("jti", "up-1").put("iat", NOW - 10).put("exp", NOW + 300);
        claims.accept(c);
        String input = Base64Url.encode(JsonSerialization.mapper.writeValueAsBytes(h)) + "." + Base64Url.encode(JsonSerialization.mapper.writeValueAsBytes(c));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64Url.encode(s.sign());
    }

    private String valid() throws Exception {
        return token(own, h -> { }, c -> { });
    }

    private void refused(String compact, String reason) {
        PsException e = assertThrows(PsException.class, () -> UpstreamTokens.verify(compact, ISSUER, INTERMEDIARY, ownKeys, NOW));
        assertEquals(400, e.status());
        assertEquals("invalid_request", e.code());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void anAuthTokenThisPersonServerIssuedToTheSigningResourceIsAccepted() throws Exception {
        UpstreamTokens.Upstream u = UpstreamTokens.verify(token(own, h -> { }, c -> c.put("mission_s256", "m".repeat(43))), ISSUER, INTERMEDIARY, ownKeys, NOW);
        assertEquals("up-1", u.jti());
        assertEquals(INTERMEDIARY, u.aud());
        assertEquals("directed-sub", u.sub());
        assertEquals("m".repeat(43), u.missionS256());
        assertNull(UpstreamTokens.verify(valid(), ISSUER, INTERMEDIARY, ownKeys, NOW).missionS256());
    }

    @Test
    void notAJwtIsInvalidRequest() {
        refused("not-a-jwt", "is not a JWT");
        refused("a.b.c", "not an auth token this Person Server issued");
    }

    @Test
    void anotherTypOrAlgIsRefused() throws Exception {
        refused(token(own, h -> h.put("typ", "aa-person+jwt"), c -> { }), "typ");
        refused(token(own, h -> h.put("alg", "EdDSA"), c -> { }), "alg");
    }

    @Test
    void anotherIssuerOrDwkIsRefusedWithoutFetchingAnything() throws Exception {
        refused(token(own, h -> { }, c -> c.put("iss", "http://127.0.0.1:8180/realms/other")), "iss");
        refused(token(own, h -> { }, c -> c.put("dwk", "aauth-access.json")), "dwk");
    }

    @Test
    void onlyTheRealmsOwnKeysVerify() throws Exception {
        refused(token(foreign, h -> { }, c -> { }), "signature");
        refused(token(own, h -> h.put("kid", "unknown"), c -> { }), "signature");
        String[] parts = valid().split("\\.");
        String altered = parts[0] + "." + Base64Url.encode(("{\"iss\":\"" + ISSUER + "\",\"dwk\":\"aauth-person.json\",\"aud\":\"" + INTERMEDIARY
                + "\",\"sub\":\"someone-else\",\"jti\":\"up-1\",\"iat\":" + (NOW - 10) + ",\"exp\":" + (NOW + 300) + "}").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        refused(altered, "signature");
    }

    @Test
    void expiredOrFutureIatIsRefused() throws Exception {
        refused(token(own, h -> { }, c -> c.put("exp", NOW)), "expired");
        refused(token(own, h -> { }, c -> c.put("iat", NOW + 3600)), "iat");
    }

    @Test
    void anAudOtherThanTheSigningAgentsIssuerIsRefused() throws Exception {
        refused(token(own, h -> { }, c -> c.put("aud", "http://market-analysis.localhost:9003")), "aud");
        PsException e = assertThrows(PsException.class, () -> UpstreamTokens.verify(valid(), ISSUER, "http://backend.localhost:8000", ownKeys, NOW));
        assertEquals("invalid_request", e.code());
    }
}
