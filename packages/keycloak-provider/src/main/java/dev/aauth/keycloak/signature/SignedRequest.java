package dev.aauth.keycloak.signature;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The one signature an AAuth request carries, read from {@code Signature-Key}, {@code Signature-Input}
 * and {@code Signature} (wire notes §1.1–§1.5; draft-hardt-aauth c465b2d §Request Verification).
 *
 * <p>The label is the single member of {@code Signature-Key}; exactly that label is verified
 * (contract: "exactly the label named in Signature-Key"). Only the {@code created} parameter is
 * accepted, and components carry no parameters: anything else would change the signature base in
 * ways this profile does not define.
 */
public record SignedRequest(
        String label,
        List<String> components,
        long created,
        String signatureParams,
        byte[] signature,
        String scheme,
        Map<String, Object> schemeParams,
        String signatureKeyHeader) {

    public static SignedRequest parse(RequestView request) {
        String sigKey = joined(request.header("signature-key"));
        String sigInput = joined(request.header("signature-input"));
        String sig = joined(request.header("signature"));
        if (sigKey == null || sigInput == null || sig == null) {
            throw fail("The request must carry Signature, Signature-Input and Signature-Key headers.");
        }

        Map<String, StructuredFields.Member> keyDict = dictionary("Signature-Key", sigKey, PeerSpellings.rfc8941FromParenthesised(sigKey));
        if (keyDict.size() != 1) {
            throw fail("Signature-Key must name exactly one signature label.");
        }
        String label = keyDict.keySet().iterator().next();
        if (!(keyDict.get(label) instanceof StructuredFields.Item keyItem)
                || !(keyItem.value() instanceof StructuredFields.Token scheme)) {
            throw fail("Signature-Key member '" + label + "' must be a scheme token with parameters.");
        }

        StructuredFields.Member inputMember = dictionary("Signature-Input", sigInput).get(label);
        if (!(inputMember instanceof StructuredFields.InnerList input)) {
            throw fail("Signature-Input has no inner list for label '" + label + "'.");
        }
        StructuredFields.Member sigMember = dictionary("Signature", sig, PeerSpellings.standardBase64Signature(sig)).get(label);
        if (!(sigMember instanceof StructuredFields.Item sigItem)
                || !(sigItem.value() instanceof StructuredFields.ByteSequence sigBytes)) {
            throw fail("Signature has no byte sequence for label '" + label + "'.");
        }

        List<String> components = new ArrayList<>();
        for (StructuredFields.Item item : input.items()) {
            if (!(item.value() instanceof String name) || !item.params().isEmpty()) {
                throw fail("Covered components must be plain strings without parameters.");
            }
            if (components.contains(name)) {
                throw fail("Covered component " + name + " is listed twice.");
            }
            if (!name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
                throw fail("Covered component names must be lowercase.");
            }
            components.add(name);
        }
        for (String p : input.params().keySet()) {
            if (!p.equals("created")) {
                throw fail("Signature parameter '" + p + "' is not allowed; only 'created' is.");
            }
        }
        Object created = input.params().get("created");
        if (!(created instanceof Long createdAt)) {
            throw fail("Signature-Input must carry an integer 'created' parameter.");
        }
        return new SignedRequest(label, Collections.unmodifiableList(components), createdAt,
                StructuredFields.serializeInnerList(input), sigBytes.bytes(), scheme.value(), keyItem.params(),
                sigKey);
    }

    /** A string parameter of the Signature-Key member, or null when absent or of another type. */
    public String schemeParam(String name) {
        Object v = schemeParams.get(name);
        return v instanceof String s ? s : null;
    }

    private static Map<String, StructuredFields.Member> dictionary(String header, String value) {
        return dictionary(header, value, null);
    }

    /** {@code value} as a dictionary; when it does not parse, {@code respelled} (a peer spelling, see {@link PeerSpellings}). */
    private static Map<String, StructuredFields.Member> dictionary(String header, String value, String respelled) {
        try {
            return StructuredFields.parseUniqueDictionary(value);
        } catch (StructuredFields.ParseException e) {
            if (respelled != null) {
                return dictionary(header, respelled, null);
            }
            throw fail(header + " is not a structured dictionary: " + e.getMessage() + ".");
        }
    }

    /** RFC 9110 §5.3: several field lines combine with ", ". */
    private static String joined(List<String> lines) {
        if (lines.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(l.trim());
        }
        return sb.toString();
    }

    private static AAuthException fail(String msg) {
        return new AAuthException(AAuthError.INVALID_SIGNATURE, msg);
    }
}
