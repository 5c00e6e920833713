package dev.aauth.keycloak.signature;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which components a request signature must cover (draft-hardt-aauth c465b2d §Covered Components;
 * contract "Request signature"), per realm attribute {@code aauth.signatureComponents}:
 * <ul>
 *   <li>{@code strict} (default): the draft's {@code @method @authority @path signature-key}, plus
 *       {@code @query} when the URL has a query and {@code content-type content-digest} when there is a
 *       body, so no part of the request travels unsigned; published as
 *       {@code additional_signature_components: ["@query", "content-type", "content-digest"]};</li>
 *   <li>{@code draft-minimum}: the draft's four only; query and body are then not bound to the signature.</li>
 * </ul>
 * The same names and rules as the TypeScript core ({@code httpsig/components.ts}).
 */
public enum SignatureComponents {
    STRICT("strict"),
    DRAFT_MINIMUM("draft-minimum");

    /** Realm attribute that selects the policy. */
    public static final String REALM_ATTRIBUTE = "aauth.signatureComponents";
    /** §Auth Server / §Resource Metadata member listing components beyond the draft's four. */
    public static final String METADATA_MEMBER = "additional_signature_components";
    /** §Error Responses, {@code invalid_signature}: the components this request had to cover. */
    public static final String ERROR_MEMBER = "required_components";

    static final List<String> DRAFT_FOUR = List.of("@method", "@authority", "@path", "signature-key");
    private static final List<String> BODY = List.of("content-type", "content-digest");

    private final String attributeValue;

    SignatureComponents(String attributeValue) {
        this.attributeValue = attributeValue;
    }

    public String attributeValue() {
        return attributeValue;
    }

    /** The policy an attribute value names; {@code null} for an unknown value. */
    public static SignatureComponents fromAttribute(String value) {
        if (value == null || value.isBlank()) {
            return STRICT;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (SignatureComponents p : values()) {
            if (p.attributeValue.equals(v)) {
                return p;
            }
        }
        return null;
    }

    /** What the issuer metadata publishes under {@link #METADATA_MEMBER} (empty: leave the member out). */
    public List<String> published() {
        if (this == DRAFT_MINIMUM) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        out.add("@query");
        out.addAll(BODY);
        return List.copyOf(out);
    }

    /** The components a request with (or without) a body and a query must cover, in the order they are named. */
    public List<String> required(boolean hasBody, boolean hasQuery) {
        List<String> out = new ArrayList<>(DRAFT_FOUR);
        if (this == STRICT) {
            if (hasQuery) {
                out.add("@query");
            }
            if (hasBody) {
                out.addAll(BODY);
            }
        }
        return List.copyOf(out);
    }
}
