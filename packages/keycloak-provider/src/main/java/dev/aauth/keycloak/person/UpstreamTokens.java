package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.token.Jwt;
import org.keycloak.common.util.Base64Url;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.function.Function;

/**
 * An {@code upstream_token} (draft-hardt-oauth-aauth-protocol §Call Chaining, §Upstream Token
 * Verification steps 1–3; docs/person-server-contract.md "Call chaining"), in order:
 * <ol>
 *   <li>a compact JWT;</li>
 *   <li>an {@code aa-auth+jwt} this Person Server issued: {@code typ}, {@code alg} {@code Ed25519},
 *       {@code iss} exactly ours, {@code dwk} {@code aauth-person.json}, signed with one of the realm's own
 *       keys (nothing is fetched: this PS trusts only auth tokens it issued, it federates with no AS),
 *       {@code exp} not passed, {@code iat} not in the future;</li>
 *   <li>its {@code aud} is the {@code iss} of the signer's agent token: it was issued to the resource now
 *       acting as agent. Its {@code cnf} is the original agent's key (that agent presented it at the
 *       intermediary), so it is not compared with the request key.</li>
 * </ol>
 * Every failure is {@code 400 invalid_request}. The person it names is the caller's step 4.
 */
final class UpstreamTokens {

    static final String MEMBER = "upstream_token";
    private static final String PREFIX = "\"upstream_token\" is not an auth token this Person Server issued to the calling resource: ";

    /** A verified upstream token: its {@code jti}, {@code aud}, directed {@code sub} and {@code mission_s256} (or null). */
    record Upstream(String jti, String aud, String sub, String missionS256) {
    }

    private UpstreamTokens() {
    }

    /**
     * @param issuer this Person Server's issuer
     * @param audience the {@code iss} of the signing agent's token
     * @param ownKeys the realm's enabled Ed25519 verification key by {@code kid}, or null
     */
    static Upstream verify(String compact, String issuer, String audience, Function<String, PublicKey> ownKeys, long now) {
        if (compact.split("\\.", -1).length != 3) {
            throw JsonBody.invalid("\"upstream_token\" is not a JWT.");
        }
        Jwt jwt;
        try {
            jwt = Jwt.parse(compact, MEMBER, AAuthError.INVALID_REQUEST);
        } catch (AAuthException e) {
            throw refused(e.getMessage());
        }
        if (!"aa-auth+jwt".equals(jwt.typ())) {
            throw refused("its typ is not aa-auth+jwt.");
        }
        if (!"Ed25519".equals(jwt.alg())) {
            throw refused("its alg is not Ed25519.");
        }
        if (!issuer.equals(jwt.string("iss"))) {
            throw refused("its iss is not this Person Server.");
        }
        if (!PersonMetadata.DWK.equals(jwt.string("dwk"))) {
            throw refused("its dwk is not " + PersonMetadata.DWK + ".");
        }
        PublicKey key = jwt.kid() == null ? null : ownKeys.apply(jwt.kid());
        if (key == null || !signatureVerifies(compact, key)) {
            throw refused("its signature does not verify with this Person Server's keys.");
        }
        Long exp = jwt.number("exp");
        if (exp == null || exp <= now) {
            throw refused("it has expired.");
        }
        Long iat = jwt.number("iat");
        if (iat == null || iat > now + DwkJwt.SKEW_SECONDS) {
            throw refused("its iat must be present and not in the future.");
        }
        String jti = jwt.string("jti");
        String sub = jwt.string("sub");
        if (jti == null || sub == null) {
            throw refused("it has no jti or sub.");
        }
        if (!audience.equals(jwt.string("aud"))) {
            throw refused("its aud is not the iss of the signing agent's token.");
        }
        return new Upstream(jti, audience, sub, jwt.claims().has("mission_s256") ? jwt.string("mission_s256") : null);
    }

    private static boolean signatureVerifies(String compact, PublicKey key) {
        int dot = compact.lastIndexOf('.');
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(compact.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
            return s.verify(Base64Url.decode(compact.substring(dot + 1)));
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static PsException refused(String reason) {
        return JsonBody.invalid(PREFIX + reason);
    }
}
