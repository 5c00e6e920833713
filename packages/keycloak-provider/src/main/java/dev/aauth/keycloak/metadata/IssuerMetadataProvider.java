package dev.aauth.keycloak.metadata;

import dev.aauth.keycloak.config.RealmSettings;
import dev.aauth.keycloak.signature.SignatureComponents;
import dev.aauth.keycloak.token.AuthTokenIssuer;
import org.keycloak.crypto.KeyUse;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.Urls;
import org.keycloak.wellknown.WellKnownProvider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code {issuer}/.well-known/aauth-issuer.json} (draft-hardt-aauth c465b2d §Auth Server Metadata;
 * contract "Identifiers and endpoints"): issuer, token endpoint, interaction endpoint, and Keycloak's own
 * realm JWKS as {@code jwks_uri}. Returned as a map so Keycloak serves JSON (a String would be served as
 * a signed-metadata JWT).
 */
final class IssuerMetadataProvider implements WellKnownProvider {

    private final KeycloakSession session;

    IssuerMetadataProvider(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public Object getConfig() {
        RealmModel realm = session.getContext().getRealm();
        String issuer = Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName());
        // The signing key must exist before anyone fetches the JWKS to verify our tokens.
        session.keys().getActiveKey(realm, KeyUse.SIG, new AuthTokenIssuer(session, realm).algorithm());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer);
        doc.put("token_endpoint", issuer + "/protocol/aauth/token");
        doc.put("interaction_endpoint", issuer + "/protocol/aauth/interact");
        doc.put("jwks_uri", issuer + "/protocol/openid-connect/certs");
        // §Covered Components: the token endpoint's requirements beyond the draft's four, in the member resources use.
        List<String> components = RealmSettings.of(realm).signatureComponents().published();
        if (!components.isEmpty()) {
            doc.put(SignatureComponents.METADATA_MEMBER, components);
        }
        return doc;
    }

    @Override
    public void close() {
    }
}
