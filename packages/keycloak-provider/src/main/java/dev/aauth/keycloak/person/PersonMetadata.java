package dev.aauth.keycloak.person;

import jakarta.ws.rs.NotFoundException;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.services.Urls;
import org.keycloak.wellknown.WellKnownProvider;
import org.keycloak.wellknown.WellKnownProviderFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code {issuer}/.well-known/aauth-person.json} (draft-hardt-oauth-aauth-protocol §Person Server
 * Metadata), served only where the realm turns the Person Server on ({@code aauth.personServer} =
 * {@code "true"}); elsewhere 404. {@code issuer} is the realm's issuer string, so it equals the URL the
 * document is fetched from minus {@code /.well-known/aauth-person.json}; {@code jwks_uri} is the realm's
 * own JWKS. Returned as a map so Keycloak serves it as JSON.
 */
public final class PersonMetadata implements WellKnownProvider {

    public static final String DWK = "aauth-person.json";

    private final KeycloakSession session;

    PersonMetadata(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public Object getConfig() {
        RealmModel realm = session.getContext().getRealm();
        if (!PersonServerSettings.enabled(realm)) {
            throw new NotFoundException("The Person Server is not enabled in this realm.");
        }
        String issuer = Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName());
        // The signing key exists before anyone fetches the JWKS to verify our tokens.
        CurrentJws.signingKey(session, realm);
        String base = PersonServerService.base(issuer);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer);
        doc.put("name", realm.getDisplayName() != null && !realm.getDisplayName().isBlank() ? realm.getDisplayName() : realm.getName());
        doc.put("person_token_endpoint", base + "/person");
        doc.put("auth_token_endpoint", base + "/token");
        doc.put("mission_endpoint", base + "/mission");
        doc.put("interaction_endpoint", base + "/interaction");
        doc.put("jwks_uri", issuer + "/protocol/openid-connect/certs");
        doc.put("accept_signature_algs", DwkJwt.HTTP_ALGORITHMS);
        // The realm's resource scopes (client scopes a resource offers: attribute aauth.resource).
        doc.put("scopes_supported", realm.getClientScopesStream()
                .filter(s -> s.getAttribute(dev.aauth.keycloak.policy.KeycloakRealmView.RESOURCE_ATTRIBUTE) != null)
                .map(org.keycloak.models.ClientScopeModel::getName).sorted().toList());
        return doc;
    }

    @Override
    public void close() {
    }

    /** The factory: one alias, {@code aauth-person.json} (provider guide §2.3). */
    public static final class Factory implements WellKnownProviderFactory {
        @Override
        public String getId() {
            return "aauth-person-json";
        }

        @Override
        public String getAlias() {
            return DWK;
        }

        @Override
        public WellKnownProvider create(KeycloakSession session) {
            return new PersonMetadata(session);
        }

        @Override
        public void init(Config.Scope config) {
        }

        @Override
        public void postInit(KeycloakSessionFactory factory) {
        }

        @Override
        public void close() {
        }
    }
}
