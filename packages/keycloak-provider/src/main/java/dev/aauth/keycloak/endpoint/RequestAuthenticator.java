package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.config.RealmSettings;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.remote.RemoteJsonFetcher;
import dev.aauth.keycloak.signature.HttpSignatureVerifier;
import dev.aauth.keycloak.signature.JwksUriKey;
import dev.aauth.keycloak.signature.PublicJwk;
import dev.aauth.keycloak.signature.RequestView;
import dev.aauth.keycloak.signature.SignedRequest;
import dev.aauth.keycloak.signature.StructuredFields;
import dev.aauth.keycloak.token.AgentTokenVerifier;
import dev.aauth.keycloak.x509.X509ChainVerifier;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.TrustAnchor;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who signed this request (draft-hardt-aauth c465b2d §Request Verification; contract "Request signature"):
 * <ol>
 *   <li>parse the single signature and check its structure and {@code created} window, before any fetch;</li>
 *   <li>the claimed agent must be an agent client of the realm before anything is fetched for it
 *       ({@code access_denied}; SSRF: identifiers are attacker-chosen URLs);</li>
 *   <li>resolve the key by scheme: {@code jwt} → verified agent token, agent id = its {@code iss}, key =
 *       {@code cnf.jwk}; {@code jwks_uri} → agent id = {@code id}, key from the agent metadata by
 *       {@code kid}; {@code x509} → refused at once without realm anchors ({@code aauth.x509TrustAnchors});
 *       else agent id = the origin of {@code x5u}, which must be an agent client before the chain is
 *       fetched, the chain must validate to an anchor ({@link X509ChainVerifier}) and the leaf must
 *       name the agent as a URI subjectAltName; key = the leaf's; {@code hwk} is refused
 *       (pseudonymous callers get no tokens);</li>
 *   <li>verify the RFC 9421 signature with that key.</li>
 * </ol>
 */
final class RequestAuthenticator {

    record Agent(String agentId, PublicJwk key) {
    }

    private final AgentTokenVerifier agentTokens;
    private final KeyDiscovery discovery;
    private final Set<TrustAnchor> x509Anchors;

    RequestAuthenticator(KeyDiscovery discovery, Set<TrustAnchor> x509Anchors) {
        this.discovery = discovery;
        this.x509Anchors = x509Anchors;
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
            case "x509":
                agent = certificate(signed, isKnownAgent, now);
                break;
            case "hwk":
                throw new AAuthException(AAuthError.INVALID_SIGNATURE,
                        "Pseudonymous (hwk) signatures cannot obtain tokens; sign with an agent token or jwks_uri.");
            default:
                throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Signature-Key scheme '" + signed.scheme() + "' is not supported.");
        }
        HttpSignatureVerifier.verify(signed, request, agent.key());
        return agent;
    }

    private Agent certificate(SignedRequest signed, Predicate<String> isKnownAgent, long now) {
        if (x509Anchors.isEmpty()) {
            throw X509ChainVerifier.noAnchors();
        }
        String x5u = signed.schemeParam("x5u");
        if (x5u == null || !(signed.schemeParams().get("x5t") instanceof StructuredFields.ByteSequence x5t)) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Signature-Key scheme x509 needs an x5u string and an x5t byte sequence.");
        }
        String agentId = origin(x5u);
        if (agentId == null || !isKnownAgent.test(agentId)) {
            throw new AAuthException(AAuthError.ACCESS_DENIED, "x5u must be served by an agent known to this auth server (its origin is the agent identifier).");
        }
        String pem;
        try {
            pem = discovery.fetcher().getText(x5u, "application/pem-certificate-chain, application/x-pem-file, text/plain");
        } catch (RemoteJsonFetcher.FetchException e) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "The certificate chain could not be obtained: " + e.getMessage());
        }
        X509ChainVerifier.Certified certified = X509ChainVerifier.verify(pem, x5t.bytes(), x509Anchors, now);
        if (!certified.uris().contains(agentId)) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "The leaf certificate does not name agent " + agentId + " as a URI subjectAltName.");
        }
        return new Agent(agentId, certified.key());
    }

    /** {@code scheme://host[:port]} of an absolute http(s) URL, lowercased as an identifier is; else null. */
    private static String origin(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                return null;
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
