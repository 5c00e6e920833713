package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.common.util.Base64Url;
import org.keycloak.util.JsonSerialization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure parts of the Person Server (current profile): identifiers, codes, missions, directed subjects. */
class PersonServerPureTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void directedSubIsStablePerPersonAndResourceAndDiffersAcrossResources() throws Exception {
        String a = DirectedSubject.of(SECRET, "https://flights.example", "user-1");
        assertEquals(a, DirectedSubject.of(SECRET, "https://flights.example", "user-1"));
        assertNotEquals(a, DirectedSubject.of(SECRET, "https://hotels.example", "user-1"));
        assertNotEquals(a, DirectedSubject.of(SECRET, "https://flights.example", "user-2"));
        assertFalse(a.contains("user-1"));
        // base64url(HMAC-SHA256(key, resource 0x00 userId)), unpadded.
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET, "HmacSHA256"));
        assertEquals(Base64Url.encode(mac.doFinal("https://flights.example\u0000user-1".getBytes(StandardCharsets.UTF_8))), a);
        assertThrows(IllegalArgumentException.class, () -> DirectedSubject.of(new byte[8], "r", "u"));
    }

    @Test
    void missionS256IsTheDigestOfTheExactBlobBytes() throws Exception {
        MissionBlob blob = MissionBlob.approve("https://ps.example", "aauth:assistant@agent.example",
                new MissionBlob.Proposal("# Plan\n\nBook a trip", null, List.of("https://flights.example")), 1775572200L);
        byte[] decoded = Base64Url.decode(blob.encoded());
        assertEquals(blob.s256(), Base64Url.encode(MessageDigest.getInstance("SHA-256").digest(decoded)));
        assertEquals(43, blob.s256().length());
        assertFalse(blob.encoded().contains("="));
        JsonNode json = JsonSerialization.mapper.readTree(decoded);
        assertEquals("https://ps.example", json.get("approver").asText());
        assertEquals("aauth:assistant@agent.example", json.get("agent").asText());
        assertEquals("2026-04-07T14:30:00Z", json.get("approved_at").asText());
        assertNull(json.get("expires_at"));
        assertEquals("# Plan\n\nBook a trip", json.get("description").asText());
        assertEquals("https://flights.example", json.get("approved_resources").get(0).asText());
        assertNull(json.get("approved_tools"));
    }

    @Test
    void interactionCodesAreCrockfordAndMatchAsTheDraftSays() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String c = InteractionCode.newCode();
            assertTrue(c.matches("[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}"), c);
            seen.add(c);
        }
        assertTrue(seen.size() > 190);
        assertEquals("A1B2-C3D4", InteractionCode.display("A1B2C3D4"));
        assertEquals("A1B2C3D4", InteractionCode.normalize("a1b2-c3d4"));
        assertEquals("A1B2C3D0", InteractionCode.normalize("AIB2 C3DO"));
        assertEquals("11112222", InteractionCode.normalize("lLiI-2222"));
        assertNull(InteractionCode.normalize("A1B2-C3D"));
        assertNull(InteractionCode.normalize("A1B2-C3DU"));
        assertNull(InteractionCode.normalize(null));
    }

    @Test
    void serverIdentifiersFollowTheDraftAndLoopbackFormsOnlyWhenAllowed() {
        assertNull(ServerIdentifier.problem("https://agent.example", false));
        assertNull(ServerIdentifier.problem("https://xn--nxasmq6b.example", false));
        for (String bad : List.of("http://agent.example", "https://Agent.Example", "https://agent.example:8443", "https://agent.example/v1",
                "https://agent.example/", "https://agent.example?x=1", "https://u@agent.example", "agent.example")) {
            assertNotNull(ServerIdentifier.problem(bad, false), bad);
        }
        assertNull(ServerIdentifier.problem("http://calendar.localhost:9302", true));
        assertNotNull(ServerIdentifier.problem("http://calendar.localhost:9302/x", true));
    }

    @Test
    void agentIdentifiersAndTheSubAgentMarker() {
        assertTrue(ServerIdentifier.isAgentId("aauth:assistant-v2@agent.example"));
        assertTrue(ServerIdentifier.isTopLevelAgentId("aauth:planner.7f3c@vendor.example"));
        assertTrue(ServerIdentifier.isAgentId("aauth:planner.7f3c+search1@vendor.example"));
        assertFalse(ServerIdentifier.isTopLevelAgentId("aauth:planner.7f3c+search1@vendor.example"));
        for (String bad : List.of("My Agent@agent.example", "aauth:@agent.example", "aauth:agent@http://agent.example", "aauth:Agent@agent.example")) {
            assertFalse(ServerIdentifier.isAgentId(bad), bad);
        }
    }

    @Test
    void signatureFailuresAre401ProblemsWithSignatureError() {
        PsException e = PsException.signature("invalid_input", "The signature must cover content-digest.")
                .withMember("required_input", List.of("@method", "content-digest"));
        assertEquals(401, e.status());
        assertEquals("error=invalid_input, required_input=(\"@method\" \"content-digest\")", Problem.signatureErrorHeader(e));
        assertEquals("invalid_input", Problem.body(e).get("error"));
        assertEquals("urn:ietf:params:sig-error:invalid_input", Problem.body(e).get("type"));

        PsException token = PsException.agentToken(new PsException(AAuthError.EXPIRED_AGENT_TOKEN, "The agent token has expired."));
        assertEquals(401, token.status());
        assertEquals("error=expired_jwt", Problem.signatureErrorHeader(token));
        assertEquals("expired_agent_token", Problem.body(token).get("error"));
        assertEquals("error=invalid_jwt", Problem.signatureErrorHeader(PsException.agentToken(new PsException(AAuthError.INVALID_AGENT_TOKEN, "bad"))));
        assertEquals("error=issuer_mismatch", Problem.signatureErrorHeader(PsException.agentToken(
                new PsException(AAuthError.INVALID_AGENT_TOKEN, "names another issuer").withHint("issuer_mismatch"))));
    }

    @Test
    void refusalsAfterTheSignatureCarryNoSignatureError() {
        PsException e = new PsException(AAuthError.MISSION_TERMINATED, "The mission has expired.")
                .withMember("mission_status", "terminated").withMember("termination_reason", "expired");
        assertEquals(403, e.status());
        assertNull(Problem.signatureErrorHeader(e));
        assertEquals("mission_terminated", Problem.body(e).get("error"));
        assertEquals("expired", Problem.body(e).get("termination_reason"));
        assertEquals(410, new PsException(AAuthError.GONE, "answered").status());
    }
}
