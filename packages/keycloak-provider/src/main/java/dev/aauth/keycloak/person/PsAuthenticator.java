package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;

import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.signature.HttpSignatureVerifier;
import dev.aauth.keycloak.signature.RequestView;
import dev.aauth.keycloak.signature.SignatureComponents;
import dev.aauth.keycloak.signature.SignedRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * Who signed a request to the Person Server (draft-hardt-oauth-aauth-protocol §Verification), each
 * failure a 401 with {@code Signature-Error}:
 * <ol>
 *   <li>{@code Signature}, {@code Signature-Input} and {@code Signature-Key} present, else {@code invalid_request};</li>
 *   <li>scheme {@code jwt} (§Keying Material), else {@code unsupported_scheme} with {@code Accept-Signature-Scheme: jwt};</li>
 *   <li>covered {@code @method @authority @path signature-key}, plus {@code content-type content-digest}
 *       on a request with a body (§Covered Components), else {@code invalid_input} with {@code required_input};</li>
 *   <li>{@code created} within the realm's window and the Content-Digest right, else {@code invalid_signature};</li>
 *   <li>the {@code aa-agent+jwt} verifies ({@link AgentTokens}), else {@code invalid_jwt}/{@code expired_jwt}
 *       (body {@code invalid_agent_token}/{@code expired_agent_token}); its issuer must be an agent client
 *       of the realm, checked before any fetch, else {@code 403 access_denied};</li>
 *   <li>its {@code cnf.jwk} carries a fully specified {@code alg} this server implements, else
 *       {@code unsupported_algorithm} with {@code Accept-Signature-Alg}; one its {@code kty}/{@code crv}
 *       agree with, else {@code invalid_key} (§Verification step 6);</li>
 *   <li>the RFC 9421 signature verifies with that key, else {@code invalid_signature}.</li>
 * </ol>
 * The provider's RFC 9421 parser and verifier ({@link SignedRequest}, {@link HttpSignatureVerifier}) are the
 * 2026-03 profile's; only the key resolution and the error vocabulary differ.
 */
final class PsAuthenticator {

    private PsAuthenticator() {
    }

    /** @param issuer this Person Server's issuer: an agent token may name it as its {@code ps} */
    static AgentTokens.Agent authenticate(RequestView request, byte[] body, String issuer, PersonServerSettings settings, KeyDiscovery discovery,
                                          java.util.function.Predicate<String> isProvider, long now) {
        if (request.header("signature").isEmpty() || request.header("signature-input").isEmpty() || request.header("signature-key").isEmpty()) {
            throw PsException.signature("invalid_request", "The request must carry Signature, Signature-Input and Signature-Key headers.");
        }
        SignedRequest signed;
        try {
            signed = SignedRequest.parse(request);
        } catch (AAuthException e) {
            throw PsException.signature("invalid_signature", e.getMessage());
        }
        if (!"jwt".equals(signed.scheme())) {
            throw PsException.signature("unsupported_scheme", "Signature-Key scheme '" + signed.scheme() + "' is not accepted; sign with scheme=jwt and an agent token.")
                    .withHeader("Accept-Signature-Scheme", "jwt");
        }
        boolean hasBody = body != null && body.length > 0;
        List<String> required = new ArrayList<>(List.of("@method", "@authority", "@path", "signature-key"));
        if (hasBody) {
            required.addAll(List.of("content-type", "content-digest"));
        }
        List<String> missing = required.stream().filter(c -> !signed.components().contains(c)).toList();
        if (!missing.isEmpty()) {
            throw PsException.signature("invalid_input", "The signature must cover " + String.join(", ", missing) + ".")
                    .withMember("required_input", required);
        }
        try {
            HttpSignatureVerifier.checkStructure(signed, request, body, now, settings.realm().signatureWindow(), SignatureComponents.DRAFT_MINIMUM);
        } catch (AAuthException e) {
            throw PsException.signature("invalid_signature", e.getMessage());
        }
        String jwt = signed.schemeParam("jwt");
        if (jwt == null) {
            throw PsException.signature("invalid_request", "Signature-Key scheme jwt needs a jwt parameter.");
        }
        AgentTokens.Agent agent;
        try {
            agent = AgentTokens.verify(jwt, "agent token", discovery, isProvider, settings.realm().allowLoopback(), issuer, now);
        } catch (PsException e) {
            // An agent provider that is not an agent client of the realm is policy (403), not a bad signature.
            throw e.error() == AAuthError.ACCESS_DENIED ? e : PsException.agentToken(e);
        }
        // §Verification step 6: the key the jwt scheme resolved to is the agent token's cnf.jwk.
        if (agent.key().alg() == null || !DwkJwt.HTTP_ALGORITHMS.contains(agent.key().alg())) {
            throw PsException.signature("unsupported_algorithm",
                    "The agent token cnf.jwk must carry a fully specified alg this server accepts.")
                    .withHeader("Accept-Signature-Alg", Problem.stringList(DwkJwt.HTTP_ALGORITHMS));
        }
        if (!DwkJwt.fits(agent.key())) {
            throw PsException.signature("invalid_key", "The agent token cnf.jwk alg " + agent.key().alg() + " disagrees with its kty/crv.");
        }
        try {
            HttpSignatureVerifier.verify(signed, request, agent.key());
        } catch (AAuthException e) {
            throw PsException.signature("invalid_signature", e.getMessage());
        }
        return agent;
    }
}
