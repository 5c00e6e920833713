package dev.aauth.keycloak.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import org.keycloak.util.JsonSerialization;

import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Token request body (contract check 1; draft-hardt-aauth c465b2d §Token Endpoint "Request"): a JSON
 * object (the draft's format) or form-encoded parameters, with string values only. The raw bytes are
 * kept by the caller for the Content-Digest check, so the body is parsed here and nowhere else.
 */
final class TokenRequestBody {

    private TokenRequestBody() {
    }

    static Map<String, String> parse(String contentType, byte[] body) {
        if (body == null || body.length == 0) {
            throw invalid("The request body is empty.");
        }
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        String text = utf8(body);
        if (mediaType.equals("application/json") || mediaType.endsWith("+json")) {
            return json(text);
        }
        if (mediaType.equals("application/x-www-form-urlencoded")) {
            return form(text);
        }
        throw invalid("The body must be application/json or application/x-www-form-urlencoded.");
    }

    private static Map<String, String> json(String text) {
        JsonNode node;
        try {
            node = JsonSerialization.mapper.readTree(text);
        } catch (Exception e) {
            throw invalid("The body is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw invalid("The body must be a JSON object.");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw invalid("The member '" + e.getKey() + "' must be a string.");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static Map<String, String> form(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k;
            String v;
            try {
                k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalid("The form body is not correctly encoded.");
            }
            if (out.put(k, v) != null) {
                throw invalid("The parameter '" + k + "' appears more than once.");
            }
        }
        return out;
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw invalid("The body is not UTF-8.");
        }
    }

    static AAuthException invalid(String msg) {
        return new AAuthException(AAuthError.INVALID_REQUEST, msg);
    }
}
