package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.config.RealmSettings;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.signature.HttpSignatureVerifier;
import dev.aauth.keycloak.signature.JwksUriKey;
import dev.aauth.keycloak.signature.PublicJwk;
import dev.aauth.keycloak.signature.RequestView;
import dev.aauth.keycloak.signature.SignedRequest;
import dev.aauth.keycloak.token.AgentTokenVerifier;

import java.util.function.Predicate;

/**
 * Who signed this request (draft-hardt-aauth c465b2d §Request Verification; contract "Request signature"):
 * <ol>
 *   <li>parse the single signature and check its structure and {@code created} window, before any fetch;</li>
 *   <li>the claimed agent must be an agent client of the realm before anything is fetched for it
 *       ({@code access_denied}; SSRF: identifiers are attacker-chosen URLs);</li>
 *   <li>resolve the key by scheme: {@code jwt} → verified agent token, agent id = its {@code iss}, key =
 *       {@code cnf.jwk}; {@code jwks_uri} → agent id = {@code id}, key from the agent metadata by
 *       {@code kid}; {@code hwk} is refused (pseudonymous callers get no tokens);</li>
 *   <li>verify the RFC 9421 signature with that key.</li>
 * </ol>
 */
final class RequestAuthenticator {

    record Agent(String agentId, PublicJwk key) {
    }

    private final AgentTokenVerifier agentTokens;
    private final KeyDiscovery discovery;

    RequestAuthenticator(KeyDiscovery discovery) {
        this.discovery = discovery;
        this.agentTokens = new AgentTokenVerifier(discovery);
    }

    Agent authenticate(RequestView request, byte[] body, String issuer, Predicate<String> isKnownAgent, long now, RealmSettings settings) {
        SignedRequest signed = SignedRequest.parse(request);
        HttpSignatureVerifier.checkStructure(signed, request, body, now, settings.signatureWindow(), settings.signatureComponents());
        Agent agent;
        switch (signed.scheme()) {
            case "jwt": {
                String jwt = signed.schemeParam("jwt");
                if (jwt == null) {
                    throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Signature-Key scheme jwt needs a jwt parameter.");
                }
                AgentTokenVerifier.Result r = agentTokens.verify(jwt, issuer, isKnownAgent, now);
                agent = new Agent(r.agentId(), r.cnfKey());
                break;
            }
            case "jwks_uri": {
                JwksUriKey key = JwksUriKey.of(signed);
                if (!isKnownAgent.test(key.id())) {
                    throw new AAuthException(AAuthError.ACCESS_DENIED, "The agent is not known to this auth server.");
                }
                key.requireAgentDocument();
                try {
                    agent = new Agent(key.id(), discovery.findKey(key.id(), JwksUriKey.AGENT_DOCUMENT, "agent", key.kid()));
                } catch (Exception e) {
                    throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Signing key discovery failed: " + e.getMessage());
                }
                break;
            }
            case "hwk":
                throw new AAuthException(AAuthError.INVALID_SIGNATURE,
                        "Pseudonymous (hwk) signatures cannot obtain tokens; sign with an agent token or jwks_uri.");
            default:
                throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Signature-Key scheme '" + signed.scheme() + "' is not supported.");
        }
        HttpSignatureVerifier.verify(signed, request, agent.key());
        return agent;
    }
}
