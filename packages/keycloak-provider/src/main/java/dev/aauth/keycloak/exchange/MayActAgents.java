package dev.aauth.keycloak.exchange;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keycloak.util.JsonSerialization;

import java.util.ArrayList;
import java.util.List;

/**
 * The agents allowed to act for a user, as an admin writes them (user attribute {@code aauth.mayAct},
 * the {@code aauth-may-act-mapper} setting), and the RFC 8693 §4.4 {@code may_act} claim naming them.
 */
public final class MayActAgents {

    /** User attribute: agents allowed to act for this user in token exchange. */
    public static final String USER_ATTRIBUTE = "aauth.mayAct";

    private MayActAgents() {
    }

    /**
     * Agent identifiers from attribute or setting values: a JSON array of strings in one value, or one
     * identifier per value; null when there is no value at all. A value that is not a JSON array of
     * strings allows nobody (fail closed: an empty list).
     */
    public static List<String> parse(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String v : values) {
            String t = v.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!t.startsWith("[")) {
                out.add(t);
                continue;
            }
            try {
                JsonNode arr = JsonSerialization.mapper.readTree(t);
                for (JsonNode id : arr) {
                    if (!id.isTextual()) {
                        return List.of();
                    }
                    out.add(id.asText());
                }
            } catch (Exception e) {
                return List.of();
            }
        }
        return out;
    }

    /**
     * {@code may_act} for these agents: §4.4's single object {@code {"sub": agent}} for one, an array of
     * such objects (this profile's extension, read by {@link ActClaims#mayActAllows}) for several or none
     * (an empty array names nobody).
     */
    public static JsonNode claim(List<String> agents) {
        if (agents.size() == 1) {
            return actor(agents.get(0));
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        agents.forEach(a -> out.add(actor(a)));
        return out;
    }

    private static ObjectNode actor(String agent) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("sub", agent);
        return o;
    }
}
