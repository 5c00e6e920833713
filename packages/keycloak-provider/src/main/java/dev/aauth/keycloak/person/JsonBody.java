package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;

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
    /** Caps on members (docs/person-server-contract.md "Request signature"): text, tokens, Markdown documents. */
    static final int MAX_TEXT = 1024;
    static final int MAX_TOKEN = 16 * 1024;
    static final int MAX_DOCUMENT = 16 * 1024;
    static final int MAX_JUSTIFICATION = 4096;

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

    /**
     * A string member of at most {@link #MAX_TEXT} characters, or null when absent; present but not a
     * non-empty string, or longer, is {@code invalid_request}.
     */
    String string(String name) {
        return string(name, MAX_TEXT);
    }

    /** A token member (a compact JWT): at most {@link #MAX_TOKEN} characters. */
    String token(String name) {
        return string(name, MAX_TOKEN);
    }

    /** A Markdown document member (a mission's description or summary): at most {@link #MAX_DOCUMENT} characters. */
    String document(String name) {
        return string(name, MAX_DOCUMENT);
    }

    /** A {@code justification}: prose for the person, at most {@link #MAX_JUSTIFICATION} characters. */
    String justification() {
        return string("justification", MAX_JUSTIFICATION);
    }

    private String string(String name, int cap) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw invalid("The member '" + name + "' must be a non-empty string.");
        }
        if (v.asText().length() > cap) {
            throw invalid("The member '" + name + "' is longer than " + cap + " characters.");
        }
        return v.asText();
    }

    JsonNode get(String name) {
        return node.get(name);
    }

    static PsException invalid(String detail) {
        return new PsException(AAuthError.INVALID_REQUEST, detail);
    }
}
