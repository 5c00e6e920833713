package dev.aauth.keycloak.token;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.exchange.ActClaims;
import dev.aauth.keycloak.signature.PublicJwk;
import dev.aauth.keycloak.signature.SignatureAlgorithms;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.util.JsonSerialization;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A compact JWS parsed with Keycloak's {@link JWSInput}; claims are read as a JSON tree so that any
 * claim shape (string or array {@code aud}, nested {@code cnf}) is seen exactly as sent. Nothing here
 * trusts a claim: callers verify the signature before acting on one (RFC 8725 §3.1).
 */
public final class Jwt {

    private final JWSInput input;
    private final JsonNode claims;
    private final AAuthError error;

    private Jwt(JWSInput input, JsonNode claims, AAuthError error) {
        this.input = input;
        this.claims = claims;
        this.error = error;
    }

    /**
     * @param error the code every failure about this token is reported with
     */
    public static Jwt parse(String compact, String what, AAuthError error) {
        if (compact == null || compact.isEmpty()) {
            throw new AAuthException(error, "The " + what + " is missing.");
        }
        JWSInput in;
        try {
            in = new JWSInput(compact);
        } catch (Exception e) {
            // Includes unknown "alg" values, which Keycloak's header enum cannot represent.
            throw new AAuthException(error, "The " + what + " is not a well-formed JWS.");
        }
        JsonNode claims;
        try {
            claims = JsonSerialization.mapper.readTree(in.getContent());
        } catch (Exception e) {
            throw new AAuthException(error, "The " + what + " payload is not JSON.");
        }
        if (claims == null || !claims.isObject()) {
            throw new AAuthException(error, "The " + what + " payload is not a JSON object.");
        }
        return new Jwt(in, claims, error);
    }

    public String typ() {
        return input.getHeader().getType();
    }

    public String kid() {
        return input.getHeader().getKeyId();
    }

    public String alg() {
        return input.getHeader().getRawAlgorithm();
    }

    public JsonNode claims() {
        return claims;
    }

    public String string(String name) {
        JsonNode v = claims.get(name);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    public Long number(String name) {
        JsonNode v = claims.get(name);
        return v != null && v.isNumber() ? v.asLong() : null;
    }

    /** {@code aud} as a list (RFC 7519 §4.1.3: a string or an array of strings); empty when absent. */
    public List<String> audience() {
        JsonNode v = claims.get("aud");
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.isTextual()) {
            out.add(v.asText());
        } else if (v.isArray()) {
            for (JsonNode a : v) {
                if (a.isTextual()) {
                    out.add(a.asText());
                }
            }
        }
        return out;
    }

    /** {@code cnf.jwk} as a parsed public key (RFC 7800 §3.2), or a refusal. */
    public PublicJwk confirmationKey(String what) {
        JsonNode cnf = claims.get("cnf");
        JsonNode jwk = cnf == null ? null : cnf.get("jwk");
        if (jwk == null || !jwk.isObject()) {
            throw new AAuthException(error, "The " + what + " has no cnf.jwk.");
        }
        try {
            return PublicJwk.parse(jwk);
        } catch (IllegalArgumentException e) {
            throw new AAuthException(error, "The " + what + " cnf.jwk is unusable: " + e.getMessage() + ".");
        }
    }

    public void requireTyp(String expected, String what) {
        if (!expected.equals(typ())) {
            throw new AAuthException(error, "The " + what + " must have typ " + expected + ".");
        }
    }

    /** Verifies the JWS signature with the key; the header {@code alg} must fit the key type. */
    public void verifySignature(PublicJwk key, String what) {
        byte[] signingInput = input.getEncodedSignatureInput().getBytes(StandardCharsets.US_ASCII);
        if (!SignatureAlgorithms.verifyJws(alg(), key, signingInput, input.getSignature())) {
            throw new AAuthException(error, "The " + what + " signature does not verify.");
        }
    }

    /** {@code exp} must be present and in the future. */
    public long requireNotExpired(long now, String what) {
        Long exp = number("exp");
        if (exp == null) {
            throw new AAuthException(error, "The " + what + " has no exp.");
        }
        if (exp <= now) {
            throw new AAuthException(error, "The " + what + " has expired.");
        }
        return exp;
    }

    /**
     * Registered claims a token may carry besides the profile's own (draft-hardt-aauth c465b2d §Auth
     * Token Structure: the IANA JSON Web Token Claims registry, OpenID Connect Core §5.1) are accepted,
     * in their registered shape: {@code nbf} (RFC 7519 §4.1.5) a number not more than {@code skew} in
     * the future; {@code auth_time} a number; {@code acr}, {@code azp}, {@code client_id} strings;
     * {@code amr} an array of strings; {@code act} an RFC 8693 §4.1 chain. Core's
     * {@code tokens/registered-claims.ts} applies the same rules.
     */
    public void requireRegisteredClaims(long now, long skew, String what) {
        JsonNode nbf = claims.get("nbf");
        if (nbf != null && !nbf.isNumber()) {
            throw new AAuthException(error, "The " + what + " nbf must be a NumericDate.");
        }
        if (nbf != null && nbf.asLong() > now + skew) {
            throw new AAuthException(error, "The " + what + " is not valid yet (nbf is in the future).");
        }
        JsonNode authTime = claims.get("auth_time");
        if (authTime != null && !authTime.isNumber()) {
            throw new AAuthException(error, "The " + what + " auth_time must be a NumericDate.");
        }
        for (String name : List.of("acr", "azp", "client_id")) {
            JsonNode v = claims.get(name);
            if (v != null && !v.isTextual()) {
                throw new AAuthException(error, "The " + what + " " + name + " must be a string.");
            }
        }
        JsonNode amr = claims.get("amr");
        if (amr != null && !(amr.isArray() && allTextual(amr))) {
            throw new AAuthException(error, "The " + what + " amr must be an array of strings.");
        }
        try {
            ActClaims.parse(claims.get("act"));
        } catch (IllegalArgumentException e) {
            throw new AAuthException(error, "The " + what + " act is malformed: " + e.getMessage() + ".");
        }
    }

    private static boolean allTextual(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isTextual()) {
                return false;
            }
        }
        return true;
    }

    public AAuthError error() {
        return error;
    }
}
