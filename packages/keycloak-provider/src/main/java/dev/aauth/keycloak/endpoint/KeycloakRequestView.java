package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.signature.RequestView;
import jakarta.ws.rs.core.HttpHeaders;
import org.keycloak.models.KeycloakSession;

import java.net.URI;
import java.util.List;

/**
 * The request as the client sent it. {@code @authority} comes from the raw Host header, because
 * Keycloak rewrites its URI view to the configured {@code --hostname} (provider guide §1.7, §10).
 */
final class KeycloakRequestView implements RequestView {

    private final KeycloakSession session;
    private final HttpHeaders headers;
    private final URI requestUri;

    KeycloakRequestView(KeycloakSession session) {
        this.session = session;
        this.headers = session.getContext().getRequestHeaders();
        this.requestUri = session.getContext().getHttpRequest().getUri().getRequestUri();
    }

    @Override
    public String method() {
        return session.getContext().getHttpRequest().getHttpMethod();
    }

    @Override
    public String authority() {
        String host = headers.getHeaderString("Host");
        return host != null ? host : requestUri.getRawAuthority();
    }

    @Override
    public String scheme() {
        return requestUri.getScheme();
    }

    @Override
    public String rawPath() {
        return requestUri.getRawPath();
    }

    @Override
    public String rawQuery() {
        return requestUri.getRawQuery();
    }

    @Override
    public List<String> header(String lowercaseName) {
        List<String> v = headers.getRequestHeader(lowercaseName);
        return v == null ? List.of() : v;
    }
}
