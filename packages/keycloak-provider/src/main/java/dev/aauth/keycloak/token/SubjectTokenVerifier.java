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
 * unexpired. Every failure is {@code invalid_grant} (RFC 8693 §2.2.2).
 */
public final class SubjectTokenVerifier {

    public static final String AUTH_TOKEN_TYP = "auth+jwt";
    public static final String ACCESS_TOKEN_TYP = "at+jwt";

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
     */
    public record Verified(SubjectToken subject, long exp, String iss, Long authTime) {
    }

    public Verified verify(String compact, String issuer, Set<String> trustedIssuers, long now) {
        Jwt jwt = Jwt.parse(compact, WHAT, AAuthError.INVALID_GRANT);
        String typ = jwt.typ();
        if (!AUTH_TOKEN_TYP.equals(typ) && !ACCESS_TOKEN_TYP.equals(typ)) {
            throw invalid("The subject token must have typ " + AUTH_TOKEN_TYP + " or " + ACCESS_TOKEN_TYP + ".");
        }
        String iss = jwt.string("iss");
        if (iss == null || !(iss.equals(issuer) || trustedIssuers.contains(iss))) {
            throw invalid("The subject token issuer is not trusted here.");
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
                    iss, Chaining.authTime(jwt.claims()));
        }
        return new Verified(new SubjectToken(sub, aud.get(0), jwt.string("agent"), null, jwt.claims().get("may_act")), exp,
                iss, Chaining.authTime(jwt.claims()));
    }

    private static AAuthException invalid(String message) {
        return new AAuthException(AAuthError.INVALID_GRANT, message);
    }
}
