package dev.aauth.keycloak.person;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.remote.RemoteJsonFetcher;
import dev.aauth.keycloak.signature.PublicJwk;
import dev.aauth.keycloak.token.Jwt;

import java.util.Set;
import java.util.function.Predicate;

/**
 * The verification steps every current-profile token shares (draft-hardt-oauth-aauth-protocol §Agent
 * Token Verification, §Resource Token Verification, §JWKS Discovery and Caching), in order:
 * <ol>
 *   <li>header {@code typ}; a fully specified {@code alg} ({@code none}, {@code EdDSA} and symmetric
 *       algorithms are refused, §Signature Algorithms);</li>
 *   <li>{@code dwk} names the expected document; {@code iss} is a server identifier, and the caller's
 *       gate accepts it, before anything is fetched from it;</li>
 *   <li>the key: {@code {iss}/.well-known/{dwk}} (whose {@code issuer} must equal {@code iss}) →
 *       {@code jwks_uri} → {@code kid}, through the realm's guarded fetcher; the key must carry an
 *       {@code alg} equal to the header's;</li>
 *   <li>the signature; {@code exp} in the future; {@code iat} not in the future (60 s skew).</li>
 * </ol>
 */
final class DwkJwt {

    static final long SKEW_SECONDS = 60;
    /**
     * What {@code Accept-Signature-Alg} and {@code accept_signature_algs} list and {@link #fits} accepts:
     * the request-signing algorithms, read from {@code accept-signature-algs.json}, the one list
     * {@code packages/core/data} gives both servers.
     */
    static final java.util.List<String> HTTP_ALGORITHMS = httpAlgorithms();
    /** Fully specified JWS algorithms this verifier implements (§Signature Algorithms). */
    static final Set<String> ALGORITHMS = Set.of("Ed25519", "ES256", "ES384", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512");

    record Verified(Jwt jwt, String iss) {
    }

    private DwkJwt() {
    }

    /**
     * @param invalid the error of a malformed or unverifiable token; {@code expired} that of an expired one
     * @param gate decides, before any fetch, whether this issuer may be contacted at all
     */
    static Verified verify(String compact, String typ, String dwk, String what, AAuthError invalid, AAuthError expired,
                           KeyDiscovery discovery, Predicate<String> gate, boolean allowLoopbackForms, long now) {
        Jwt jwt;
        try {
            jwt = Jwt.parse(compact, what, AAuthError.INVALID_REQUEST);
        } catch (AAuthException e) {
            throw new PsException(invalid, e.getMessage());
        }
        if (!typ.equals(jwt.typ())) {
            throw new PsException(invalid, "The " + what + " must have typ " + typ + ".");
        }
        String alg = jwt.alg();
        if (alg == null || !ALGORITHMS.contains(alg)) {
            throw new PsException(invalid, "The " + what + " alg must be a fully specified algorithm such as Ed25519 (not "
                    + (alg == null ? "absent" : alg) + ").");
        }
        if (!dwk.equals(jwt.string("dwk"))) {
            throw new PsException(invalid, "The " + what + " dwk must be " + dwk + ".");
        }
        String iss = jwt.string("iss");
        String bad = ServerIdentifier.problem(iss, allowLoopbackForms);
        if (bad != null) {
            throw new PsException(invalid, "The " + what + " iss is not a server identifier: " + bad + ".");
        }
        if (!gate.test(iss)) {
            // Realm policy, decided before anything is fetched from an attacker-chosen URL.
            throw new PsException(AAuthError.ACCESS_DENIED, "The " + what + " issuer " + iss + " is not known to this realm.");
        }
        PublicJwk key = discover(iss, dwk, jwt.kid(), alg, what, invalid, discovery, false);
        try {
            jwt.verifySignature(key, what);
        } catch (AAuthException e) {
            // §JWKS Discovery and Caching: a cached key that fails is refreshed once (silent re-keying
            // under the same kid), subject to the fetcher's refresh cool-down.
            PublicJwk fresh = discover(iss, dwk, jwt.kid(), alg, what, invalid, discovery, true);
            try {
                if (fresh.thumbprint().equals(key.thumbprint())) {
                    throw e;
                }
                jwt.verifySignature(fresh, what);
            } catch (AAuthException again) {
                throw new PsException(invalid, again.getMessage());
            }
        }
        Long exp = jwt.number("exp");
        if (exp == null) {
            throw new PsException(invalid, "The " + what + " has no exp.");
        }
        if (exp <= now) {
            throw new PsException(expired, "The " + what + " has expired.");
        }
        Long iat = jwt.number("iat");
        if (iat == null || iat > now + SKEW_SECONDS) {
            throw new PsException(invalid, "The " + what + " iat must be present and not in the future.");
        }
        return new Verified(jwt, iss);
    }

    /**
     * §JWKS Discovery and Caching, §Metadata Documents: {@code {iss}/.well-known/{dwk}} must name
     * {@code iss} as its {@code issuer} byte for byte ({@code issuer_missing} / {@code issuer_mismatch}),
     * its {@code jwks_uri} must hold the key {@code kid} with the token's {@code alg} (refetched once when
     * absent, for rotation). Fetches go through the realm's guarded, cached fetcher.
     */
    static PublicJwk discover(String iss, String dwk, String kid, String alg, String what, AAuthError invalid, KeyDiscovery discovery,
                              boolean refresh) {
        try {
            JsonNode metadata = discovery.fetcher().get(iss + "/.well-known/" + dwk, refresh);
            JsonNode declared = metadata.get("issuer");
            if (declared == null || !declared.isTextual()) {
                throw new PsException(invalid, "The " + dwk + " of " + iss + " has no issuer.").withHint("issuer_missing");
            }
            if (!declared.asText().equals(iss)) {
                throw new PsException(invalid, "The " + dwk + " of " + iss + " names another issuer.").withHint("issuer_mismatch");
            }
            JsonNode jwksUri = metadata.get("jwks_uri");
            if (jwksUri == null || !jwksUri.isTextual()) {
                throw new PsException(invalid, "The " + dwk + " of " + iss + " has no jwks_uri.");
            }
            PublicJwk key = KeyDiscovery.select(discovery.fetcher().get(jwksUri.asText(), refresh), kid);
            if (key == null && !refresh) {
                key = KeyDiscovery.select(discovery.fetcher().get(jwksUri.asText(), true), kid);
            }
            if (key == null) {
                throw new PsException(invalid, "The JWKS of " + iss + " has no usable key " + kid + ".");
            }
            if (!alg.equals(key.alg())) {
                throw new PsException(invalid, "The " + what + " key " + kid + " does not carry alg " + alg + " in the issuer's JWKS.");
            }
            return key;
        } catch (RemoteJsonFetcher.FetchException e) {
            throw new PsException(invalid, "The " + what + " key could not be discovered: " + e.getMessage());
        }
    }

    /** {@code cnf.jwk} as a public key; whether its {@code alg} {@link #fits} is the caller's check. */
    static PublicJwk confirmationKey(Jwt jwt, String what, AAuthError invalid) {
        JsonNode cnf = jwt.claims().get("cnf");
        JsonNode jwk = cnf == null ? null : cnf.get("jwk");
        if (jwk == null || !jwk.isObject()) {
            throw new PsException(invalid, "The " + what + " has no cnf.jwk.");
        }
        try {
            return PublicJwk.parse(jwk);
        } catch (IllegalArgumentException e) {
            throw new PsException(invalid, "The " + what + " cnf.jwk is unusable: " + e.getMessage() + ".");
        }
    }

    /**
     * §Signature Algorithms: the key's {@code alg} is present, fully specified, one this server verifies
     * HTTP signatures with, and agrees with {@code kty}/{@code crv}.
     */
    static boolean fits(PublicJwk key) {
        String alg = key.alg();
        if (alg == null) {
            return false;
        }
        return HTTP_ALGORITHMS.contains(alg) && switch (key.kty()) {
            case "OKP" -> "Ed25519".equals(alg) && "Ed25519".equals(key.crv());
            case "EC" -> ("ES256".equals(alg) && "P-256".equals(key.crv())) || ("ES384".equals(alg) && "P-384".equals(key.crv()));
            case "RSA" -> "RS256".equals(alg) || "PS512".equals(alg);
            default -> false;
        };
    }

    private static java.util.List<String> httpAlgorithms() {
        try (java.io.InputStream in = DwkJwt.class.getResourceAsStream("accept-signature-algs.json")) {
            if (in == null) {
                throw new IllegalStateException("accept-signature-algs.json is missing from the provider jar");
            }
            java.util.List<String> out = new java.util.ArrayList<>();
            org.keycloak.util.JsonSerialization.mapper.readTree(in).path("algorithms").forEach(a -> out.add(a.asText()));
            if (out.isEmpty()) {
                throw new IllegalStateException("accept-signature-algs.json lists no algorithms");
            }
            return java.util.List.copyOf(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read accept-signature-algs.json", e);
        }
    }
}
