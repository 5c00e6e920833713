package dev.aauth.keycloak.metadata;

/** Serves the issuer metadata at {@code /realms/{realm}/.well-known/aauth-issuer.json}. */
public final class IssuerMetadataJsonProviderFactory extends IssuerMetadataFactoryBase {

    @Override
    public String getId() {
        return "aauth-issuer-json";
    }

    @Override
    public String getAlias() {
        return "aauth-issuer.json";
    }
}
