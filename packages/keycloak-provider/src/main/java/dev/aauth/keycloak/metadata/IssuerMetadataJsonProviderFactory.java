package dev.aauth.keycloak.metadata;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.wellknown.WellKnownProvider;
import org.keycloak.wellknown.WellKnownProviderFactory;

/**
 * Serves the issuer metadata at {@code /realms/{realm}/.well-known/aauth-issuer.json}. Keycloak matches a
 * well-known alias verbatim and one factory serves one alias, so the names with and without
 * {@code .json} each have a factory (provider guide §2.3).
 */
public final class IssuerMetadataJsonProviderFactory implements WellKnownProviderFactory {

    @Override
    public final String getId() {
        return "aauth-issuer-json";
    }

    @Override
    public String getAlias() {
        return "aauth-issuer.json";
    }

    @Override
    public WellKnownProvider create(KeycloakSession session) {
        return new IssuerMetadataProvider(session);
    }

    @Override
    public final void init(Config.Scope config) {
    }

    @Override
    public final void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public final void close() {
    }
}
