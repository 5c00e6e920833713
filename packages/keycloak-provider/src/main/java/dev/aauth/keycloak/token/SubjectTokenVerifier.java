package dev.aauth.keycloak.token;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.exchange.ActClaims;
import dev.aauth.keycloak.exchange.SubjectToken;
import dev.aauth.keycloak.policy.Chaining;
import dev.aauth.keycloak.signature.PublicJwk;

import java.util.List;
import java.util.Set;

/**
 * The {@code subject_token} of an RFC 8693 exchange (docs/auth-server-contract.md, "RFC 8693 token
 * exchange"): an AAuth auth token ({@code typ: auth+jwt}) naming a user, or a token issued by an
 * earlier exchange ({@code typ: at+jwt}, RFC 9068), from this realm or a trusted issuer, signed and
 * unexpired; or this realm's own OIDC access token (header {@code typ: JWT}, claim {@code typ: Bearer}),
 * what a user holds after Keycloak's normal login. Every failure is {@code invalid_grant} (RFC 8693 §2.2.2).
 */
public final class SubjectTokenVerifier {

    public static final String AUTH_TOKEN_TYP = "auth+jwt";
    public static final String ACCESS_TOKEN_TYP = "at+jwt";
    /** Keycloak's own access tokens: JOSE header {@code typ} and their {@code typ} claim. */
    public static final String OIDC_HEADER_TYP = "JWT";
    public static final String OIDC_ACCESS_TOKEN_CLAIM_TYP = "Bearer";

    private static final String WHAT = "subject token";
    private static final long SKEW_SECONDS = AgentTokenVerifier.SKEW_SECONDS;

    private final IssuerKeys keys;

    public SubjectTokenVerifier(IssuerKeys keys) {
        this.keys = keys;
    }

    /**
     * @param iss      the token's issuer: this realm or a trusted one (whose {@code sub} names a local user
     *                 only through a link)
     * @param authTime {@code auth_time}, else {@code iat}; null when neither
     * @param realmAccessToken this realm's OIDC access token, which must also still be live in Keycloak's
     *                 eyes ({@link RealmAccessTokenLiveness}: session, revocation, user, client)
     */
    public record Verified(SubjectToken subject, long exp, String iss, Long authTime, boolean realmAccessToken) {
    }

    public Verified verify(String compact, String issuer, Set<String> trustedIssuers, long now) {
        Jwt jwt = Jwt.parse(compact, WHAT, AAuthError.INVALID_GRANT);
        String typ = jwt.typ();
        boolean oidc = OIDC_HEADER_TYP.equals(typ);
        if (!AUTH_TOKEN_TYP.equals(typ) && !ACCESS_TOKEN_TYP.equals(typ) && !oidc) {
            throw invalid("The subject token must have typ " + AUTH_TOKEN_TYP + ", " + ACCESS_TOKEN_TYP
                    + " or (this realm's access token) " + OIDC_HEADER_TYP + ".");
        }
        String iss = jwt.string("iss");
        // A realm's OIDC access token is trusted from this realm only: a trusted issuer is trusted for its
        // AAuth tokens, and another realm's login says nothing about this realm's users.
        if (iss == null || !(iss.equals(issuer) || (!oidc && trustedIssuers.contains(iss)))) {
            throw invalid("The subject token issuer is not trusted here.");
        }
        if (oidc && !OIDC_ACCESS_TOKEN_CLAIM_TYP.equals(jwt.string("typ"))) {
            // Keycloak signs ID tokens (typ ID) and others with the same keys: only its access tokens carry a user's grant.
            throw invalid("A " + OIDC_HEADER_TYP + " subject token must be this realm's access token (claim typ "
                    + OIDC_ACCESS_TOKEN_CLAIM_TYP + ").");
        }
        PublicJwk key;
        try {
            key = keys.key(iss, jwt.kid());
        } catch (Exception e) {
            throw invalid("The subject token key could not be found: " + e.getMessage());
        }
        if (key == null) {
            throw invalid("The subject token was signed with an unknown key.");
        }
        jwt.verifySignature(key, WHAT);
        long exp = jwt.requireNotExpired(now, WHAT);
        Long iat = jwt.number("iat");
        if (iat != null && iat > now + SKEW_SECONDS) {
            throw invalid("The subject token iat is in the future.");
        }
        // Registered claims in their registered shape, nbf not in the future (as for auth tokens).
        jwt.requireRegisteredClaims(now, SKEW_SECONDS, WHAT);
        String sub = jwt.string("sub");
        if (sub == null || sub.isEmpty()) {
            throw invalid("The subject token names no user (\"sub\").");
        }
        if (oidc) {
            return verifiedOidc(jwt, sub, exp, iss);
        }
        List<String> aud = jwt.audience();
        if (aud.size() != 1) {
            throw invalid("The subject token must have a single aud.");
        }
        if (ACCESS_TOKEN_TYP.equals(typ)) {
            // RFC 9068 tokens from an earlier exchange: the outermost actor is their client_id.
            String clientId = jwt.string("client_id");
            List<String> chain;
            try {
                chain = ActClaims.chain(ActClaims.parse(jwt.claims().get("act")));
            } catch (IllegalArgumentException e) {
                throw invalid("The subject token's \"act\" is malformed: " + e.getMessage() + ".");
            }
            if (clientId == null || chain.isEmpty() || !chain.get(0).equals(clientId)) {
                throw invalid("The subject token's \"act\" must name its current actor, \"client_id\".");
            }
            jwt.confirmationKey(WHAT);
            return new Verified(new SubjectToken(sub, aud.get(0), null, jwt.claims().get("act"), jwt.claims().get("may_act")), exp,
                    iss, Chaining.authTime(jwt.claims()), false);
        }
        return new Verified(new SubjectToken(sub, aud.get(0), jwt.string("agent"), null, jwt.claims().get("may_act")), exp,
                iss, Chaining.authTime(jwt.claims()), false);
    }

    /**
     * This realm's OIDC access token. Its {@code aud} lists the APIs it is good for (Keycloak adds
     * {@code account} and others), not who holds it: the party it was issued to is {@code azp} (OpenID
     * Connect Core §2), which stands in for the audience in "who may act" when there is no {@code may_act}.
     */
    private static Verified verifiedOidc(Jwt jwt, String sub, long exp, String iss) {
        String azp = jwt.string("azp");
        if (azp == null || azp.isEmpty()) {
            throw invalid("The subject token names no client it was issued to (\"azp\").");
        }
        return new Verified(new SubjectToken(sub, azp, null, jwt.claims().get("act"), jwt.claims().get("may_act")), exp,
                iss, Chaining.authTime(jwt.claims()), true);
    }

    private static AAuthException invalid(String message) {
        return new AAuthException(AAuthError.INVALID_GRANT, message);
    }
}
