package dev.aauth.keycloak.exchange;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 8693 §4.1 {@code act} and §4.4 {@code may_act}, as pure functions over JSON trees. The outermost
 * {@code act} names the current actor and each nested one the actor before it; nested actors are
 * history and never used for access decisions (§4.1, last paragraph). Same rules as core's
 * {@code delegation/act.ts}, so both auth servers read and write the same chains.
 */
public final class ActClaims {

    /** Deepest chain read from untrusted input (bounded recursion). */
    public static final int MAX_DEPTH = 16;

    private ActClaims() {
    }

    /**
     * A validated copy of an {@code act} claim ({@code sub} non-empty string, {@code iss} string when
     * present, {@code act} nested), or null when absent.
     *
     * @throws IllegalArgumentException when it is malformed or nests deeper than {@link #MAX_DEPTH}
     */
    public static ObjectNode parse(JsonNode value) {
        return parse(value, 0);
    }

    private static ObjectNode parse(JsonNode value, int depth) {
        if (value == null || value.isMissingNode()) {
            return null;
        }
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("\"act\" nests deeper than " + MAX_DEPTH);
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException("\"act\" must be a JSON object");
        }
        JsonNode sub = value.get("sub");
        if (sub == null || !sub.isTextual() || sub.asText().isEmpty()) {
            throw new IllegalArgumentException("\"act.sub\" must be a non-empty string");
        }
        JsonNode iss = value.get("iss");
        if (iss != null && !iss.isTextual()) {
            throw new IllegalArgumentException("\"act.iss\" must be a string");
        }
        ObjectNode nested = parse(value.get("act"), depth + 1);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("sub", sub.asText());
        if (iss != null) {
            out.put("iss", iss.asText());
        }
        if (nested != null) {
            out.set("act", nested);
        }
        return out;
    }

    /** A new {@code act} for {@code actor} with the earlier chain nested inside it (§4.1). */
    public static ObjectNode nest(String actor, ObjectNode prior) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("sub", actor);
        if (prior != null) {
            out.set("act", prior.deepCopy());
        }
        return out;
    }

    /** Actors from the current one back to the first. */
    public static List<String> chain(JsonNode act) {
        List<String> out = new ArrayList<>();
        for (JsonNode link = act; link != null && link.isObject(); link = link.get("act")) {
            JsonNode sub = link.get("sub");
            out.add(sub == null ? "" : sub.asText());
        }
        return out;
    }

    /**
     * §4.4: {@code may_act} (an object, or as an extension an array of objects) allows the actor when
     * every identifying member it carries equals the actor's: {@code sub}, and {@code iss} if present.
     * Our actors are agents named by their identifier URL alone, so an {@code iss} never matches.
     */
    public static boolean mayActAllows(JsonNode mayAct, String actor) {
        if (mayAct == null) {
            return false;
        }
        if (mayAct.isArray()) {
            for (JsonNode candidate : mayAct) {
                if (matches(candidate, actor)) {
                    return true;
                }
            }
            return false;
        }
        return matches(mayAct, actor);
    }

    private static boolean matches(JsonNode candidate, String actor) {
        if (candidate == null || !candidate.isObject()) {
            return false;
        }
        JsonNode sub = candidate.get("sub");
        return sub != null && sub.isTextual() && sub.asText().equals(actor) && candidate.get("iss") == null;
    }
}
