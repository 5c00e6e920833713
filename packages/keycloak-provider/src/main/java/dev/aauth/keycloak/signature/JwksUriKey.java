package dev.aauth.keycloak.signature;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;

/**
 * The parameters of a {@code jwks_uri} Signature-Key member (draft-hardt-httpbis-signature-key at
 * f22a52e, §JWKS URI Discovery): the signer {@code id}, the metadata document under
 * {@code /.well-known/} named by {@code well-known}, and the {@code kid}. A later draft renamed the
 * document parameter {@code dwk}; both are read, and two names that disagree are refused rather than
 * one silently winning. The embedded server's {@code signature-key/parse.ts}.
 */
public record JwksUriKey(String id, String wellKnown, String kid) {

    /** The agent metadata document (draft-hardt-aauth c465b2d §Agent Server Metadata). */
    public static final String AGENT_DOCUMENT = "aauth-agent.json";

    public static JwksUriKey of(SignedRequest signed) {
        String id = signed.schemeParam("id");
        String kid = signed.schemeParam("kid");
        if (id == null || kid == null) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Signature-Key scheme jwks_uri needs id and kid parameters.");
        }
        String wellKnown = signed.schemeParam("well-known");
        String dwk = signed.schemeParam("dwk");
        if (wellKnown != null && dwk != null && !wellKnown.equals(dwk)) {
            throw new AAuthException(AAuthError.INVALID_REQUEST,
                    "Signature-Key parameters \"well-known\" and \"dwk\" name different documents.");
        }
        return new JwksUriKey(id, wellKnown != null ? wellKnown : dwk, kid);
    }

    /**
     * Refuses any document but the agent metadata (the draft's example writes it without
     * {@code .json}): another name would have the verifier trust a document the agent never vouched
     * for as its metadata.
     */
    public void requireAgentDocument() {
        if (wellKnown != null && !wellKnown.equals(AGENT_DOCUMENT) && !wellKnown.equals("aauth-agent")) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "Signature-Key \"well-known\" must name " + AGENT_DOCUMENT + ".");
        }
    }
}
