package dev.aauth.keycloak.signature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A plain {@link RequestView} for tests. */
public final class TestRequest implements RequestView {
    private final String method;
    private final String scheme;
    private final String authority;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();

    public TestRequest(String method, String scheme, String authority, String path, String query) {
        this.method = method;
        this.scheme = scheme;
        this.authority = authority;
        this.path = path;
        this.query = query;
    }

    public TestRequest header(String name, String value) {
        headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
        return this;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String authority() {
        return authority;
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public String rawPath() {
        return path;
    }

    @Override
    public String rawQuery() {
        return query;
    }

    @Override
    public List<String> header(String lowercaseName) {
        return headers.getOrDefault(lowercaseName, List.of());
    }
}
