package dev.aauth.keycloak.metadata;

/** Serves the issuer metadata at {@code /realms/{realm}/.well-known/aauth-issuer} (the name without {@code .json}). */
public final class IssuerMetadataProviderFactory extends IssuerMetadataFactoryBase {

    @Override
    public String getId() {
        return "aauth-issuer";
    }

    @Override
    public String getAlias() {
        return "aauth-issuer";
    }
}
