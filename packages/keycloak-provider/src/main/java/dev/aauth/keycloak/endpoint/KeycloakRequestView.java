package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.signature.RequestView;
import jakarta.ws.rs.core.HttpHeaders;
import org.keycloak.models.KeycloakSession;

import java.net.URI;
import java.util.List;

/**
 * The request as the client sent it, except {@code @authority} and the scheme: those are the issuer's
 * (Keycloak's resolved hostname for the realm), never the client's {@code Host} header, so a request
 * signed for another server does not verify here whatever {@code Host} it carries (contract "Request
 * signature"; RFC 9421 §2.2.3 names the target's authority, and this server's is its issuer's).
 */
final class KeycloakRequestView implements RequestView {

    private final KeycloakSession session;
    private final HttpHeaders headers;
    private final URI requestUri;
    private final URI issuer;

    KeycloakRequestView(KeycloakSession session, String issuer) {
        this.session = session;
        this.headers = session.getContext().getRequestHeaders();
        this.requestUri = session.getContext().getHttpRequest().getUri().getRequestUri();
        this.issuer = URI.create(issuer);
    }

    @Override
    public String method() {
        return session.getContext().getHttpRequest().getHttpMethod();
    }

    @Override
    public String authority() {
        return issuer.getRawAuthority();
    }

    @Override
    public String scheme() {
        return issuer.getScheme();
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
