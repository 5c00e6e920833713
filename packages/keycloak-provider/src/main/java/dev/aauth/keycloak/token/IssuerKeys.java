package dev.aauth.keycloak.token;

import dev.aauth.keycloak.signature.PublicJwk;

/** Where the verification key of an auth-token issuer comes from (own realm, or remote discovery). */
public interface IssuerKeys {
    /** The key, or an exception whose message says why not. */
    PublicJwk key(String issuer, String kid) throws Exception;
}
