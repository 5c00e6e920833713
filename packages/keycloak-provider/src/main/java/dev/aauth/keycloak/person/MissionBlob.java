package dev.aauth.keycloak.person;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keycloak.common.util.Base64Url;
import org.keycloak.util.JsonSerialization;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The mission blob (draft-hardt-oauth-aauth-protocol §Mission Approval, §Mission Identifier): the exact
 * bytes the PS persists, returned base64url-encoded as {@code mission}, with
 * {@code s256 = base64url(SHA-256(bytes))}. Members: approver, agent, approved_at, description,
 * approved_tools, approved_resources (the last two only when the proposal named any). No
 * {@code expires_at}: missions here end by completion (docs/person-server-contract.md "Missions").
 */
public record MissionBlob(byte[] bytes, String s256) {

    /** A proposal as received: description, tools (objects with name and description) and resources. */
    public record Proposal(String description, JsonNode tools, List<String> resources) {
    }

    public static MissionBlob approve(String approver, String agentId, Proposal proposal, long approvedAt) {
        ObjectNode blob = JsonSerialization.mapper.createObjectNode();
        blob.put("approver", approver);
        blob.put("agent", agentId);
        blob.put("approved_at", iso(approvedAt));
        blob.put("description", proposal.description());
        if (proposal.tools() != null && proposal.tools().size() > 0) {
            blob.set("approved_tools", proposal.tools().deepCopy());
        }
        if (!proposal.resources().isEmpty()) {
            ArrayNode resources = blob.putArray("approved_resources");
            proposal.resources().forEach(resources::add);
        }
        return of(blob);
    }

    /** Persisted bytes (compact JSON, UTF-8) and their digest. */
    static MissionBlob of(ObjectNode json) {
        try {
            byte[] bytes = JsonSerialization.mapper.writeValueAsBytes(json);
            return new MissionBlob(bytes, s256(bytes));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code base64url(SHA-256(bytes))} without padding. */
    public static String s256(byte[] bytes) {
        try {
            return Base64Url.encode(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code mission} member: the bytes base64url-encoded without padding. */
    public String encoded() {
        return Base64Url.encode(bytes);
    }

    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** ISO 8601 UTC, whole seconds ({@code 2026-04-07T14:30:00Z}). */
    static String iso(long epochSeconds) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochSeconds).truncatedTo(ChronoUnit.SECONDS));
    }
}
