package dev.aauth.keycloak.metadata;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.wellknown.WellKnownProvider;
import org.keycloak.wellknown.WellKnownProviderFactory;

/**
 * The issuer metadata document (2026-03 §Metadata, {@code aauth-issuer.json}). Keycloak matches a
 * well-known alias verbatim and one factory serves one alias, so each name the document is served
 * under has a small subclass naming its id and alias (provider guide §2.3).
 */
abstract class IssuerMetadataFactoryBase implements WellKnownProviderFactory {

    @Override
    public final WellKnownProvider create(KeycloakSession session) {
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
