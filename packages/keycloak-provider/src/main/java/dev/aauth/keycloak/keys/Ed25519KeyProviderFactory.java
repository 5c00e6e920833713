package dev.aauth.keycloak.keys;

import org.keycloak.component.ComponentModel;
import org.keycloak.crypto.Algorithm;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.keys.GeneratedEddsaKeyProviderFactory;
import org.keycloak.keys.KeyProvider;
import org.keycloak.models.KeycloakSession;

import java.util.stream.Stream;

/**
 * Key provider {@code aauth-ed25519-generated}: Keycloak's generated EdDSA key, published and selected
 * under the fully specified algorithm of its curve ({@code Ed25519}, or {@code Ed448}) instead of the
 * polymorphic {@code EdDSA} (RFC 9864; draft-hardt-oauth-aauth-protocol §JWKS Discovery and Caching:
 * every key at {@code jwks_uri} carries a fully specified {@code alg}). The realm's JWKS
 * ({@code protocol/openid-connect/certs}) then lists it with {@code "alg": "Ed25519"}. Key material,
 * configuration and rotation are those of {@code eddsa-generated}; it never makes fallback keys.
 */
public final class Ed25519KeyProviderFactory extends GeneratedEddsaKeyProviderFactory {

    public static final String ID = "aauth-ed25519-generated";

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "Generates an Ed25519 key published with the fully specified alg \"Ed25519\" (AAuth Person Server tokens)";
    }

    @Override
    public KeyProvider create(KeycloakSession session, ComponentModel model) {
        KeyProvider eddsa = super.create(session, model);
        return new KeyProvider() {
            @Override
            public Stream<KeyWrapper> getKeysStream() {
                return eddsa.getKeysStream().map(Ed25519KeyProviderFactory::fullySpecified);
            }

            @Override
            public void close() {
                eddsa.close();
            }
        };
    }

    @Override
    public boolean createFallbackKeys(KeycloakSession session, KeyUse keyUse, String algorithm) {
        return false;
    }

    static KeyWrapper fullySpecified(KeyWrapper k) {
        KeyWrapper copy = k.cloneKey();
        copy.setAlgorithm("Ed448".equals(k.getCurve()) ? Algorithm.Ed448 : Algorithm.Ed25519);
        return copy;
    }
}
