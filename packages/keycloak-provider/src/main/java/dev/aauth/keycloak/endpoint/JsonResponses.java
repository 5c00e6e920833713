package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.error.AAuthException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/** JSON answers of the token endpoint and pending URLs, always {@code Cache-Control: no-store}. */
final class JsonResponses {

    private JsonResponses() {
    }

    static Response json(int status, Map<String, Object> body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store")
                .entity(body)
                .build();
    }

    /** Contract "Errors": {@code {"error", "error_description"}} with the code's status. */
    static Response error(AAuthException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error().code());
        body.put("error_description", e.getMessage());
        e.extras().forEach(body::putIfAbsent);
        return json(e.error().status(), body);
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
