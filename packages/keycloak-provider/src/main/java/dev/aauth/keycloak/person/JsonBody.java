package dev.aauth.keycloak.person;

import com.fasterxml.jackson.databind.JsonNode;
import org.keycloak.util.JsonSerialization;

import java.util.List;
import java.util.Locale;

/**
 * The JSON object body of a Person Server POST (draft-hardt-oauth-aauth-protocol §Person Token Endpoint,
 * §PS Token Endpoint, §Mission Creation: {@code Content-Type: application/json}). Anything else is
 * {@code invalid_request}.
 */
final class JsonBody {

    static final int MAX_BYTES = 64 * 1024;

    private final JsonNode node;

    private JsonBody(JsonNode node) {
        this.node = node;
    }

    static JsonBody parse(List<String> contentType, byte[] body) {
        String type = contentType.isEmpty() ? "" : contentType.get(0).toLowerCase(Locale.ROOT).split(";")[0].trim();
        if (!"application/json".equals(type)) {
            throw invalid("The request body must be application/json.");
        }
        if (body == null || body.length == 0) {
            throw invalid("The request body is empty.");
        }
        if (body.length > MAX_BYTES) {
            throw invalid("The request body is larger than " + MAX_BYTES + " bytes.");
        }
        JsonNode node;
        try {
            node = JsonSerialization.mapper.readTree(body);
        } catch (Exception e) {
            throw invalid("The request body is not JSON.");
        }
        if (node == null || !node.isObject()) {
            throw invalid("The request body must be a JSON object.");
        }
        return new JsonBody(node);
    }

    /** A string member, or null when absent; present but not a non-empty string is {@code invalid_request}. */
    String string(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw invalid("The member '" + name + "' must be a non-empty string.");
        }
        return v.asText();
    }

    JsonNode get(String name) {
        return node.get(name);
    }

    static PsException invalid(String detail) {
        return new PsException(PsError.INVALID_REQUEST, detail);
    }
}
