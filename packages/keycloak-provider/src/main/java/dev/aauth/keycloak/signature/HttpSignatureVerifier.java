package dev.aauth.keycloak.signature;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Checks an AAuth request signature once the signing key is known (draft-hardt-aauth c465b2d
 * §Request Verification; contract "Request signature"):
 * <ol>
 *   <li>the raw path is in normal form (no dot-segments, empty segments or backslashes);</li>
 *   <li>covered components include {@code @method @authority @path signature-key}, plus under the
 *       realm's {@link SignatureComponents} policy ({@code strict}, the default) {@code content-type
 *       content-digest} when the request has a body and {@code @query} when the URL has a query
 *       (otherwise the unsigned parts could be swapped); a refusal lists them in
 *       {@code required_components};</li>
 *   <li>{@code created} lies within ±window seconds of now (replay bound, wire notes §1.8);</li>
 *   <li>the Content-Digest, when covered, matches the raw body (RFC 9530);</li>
 *   <li>the key is not an RSA key under 2048 bits, an ECDSA signature is low-S, and the RFC 9421
 *       signature verifies with the key.</li>
 * </ol>
 * Steps 1–3 are structural and run in {@link #checkStructure} before any network fetch for the key.
 */
public final class HttpSignatureVerifier {

    private HttpSignatureVerifier() {
    }

    public static void checkStructure(SignedRequest signed, RequestView request, byte[] body, long nowSeconds, long windowSeconds,
            SignatureComponents policy) {
        checkPath(request.rawPath());
        boolean hasBody = body != null && body.length > 0;
        List<String> required = policy.required(hasBody, request.rawQuery() != null && !request.rawQuery().isEmpty());
        List<String> missing = required.stream().filter(c -> !signed.components().contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "The signature must cover " + String.join(", ", missing) + ".",
                    Map.of(SignatureComponents.ERROR_MEMBER, required));
        }
        if (Math.abs(nowSeconds - signed.created()) > windowSeconds) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE,
                    "The signature 'created' time is outside the accepted window of " + windowSeconds + " seconds.");
        }
        if (signed.components().contains("content-digest")) {
            List<String> digest = request.header("content-digest");
            ContentDigest.check(digest.isEmpty() ? null : String.join(", ", digest), body == null ? new byte[0] : body);
        }
    }

    /**
     * {@code @path} is the raw path as received (RFC 9421 §2.2.6, no normalisation), while an HTTP
     * stack may route on a normalised one. A path that normalisation would change (dot-segments,
     * also percent-encoded; empty segments; backslashes) is refused, so the signed path and the
     * routed path are the same (contract "Request signature").
     */
    static void checkPath(String rawPath) {
        String path = rawPath == null ? "" : rawPath;
        boolean bad = path.contains("//") || path.indexOf('\\') >= 0;
        for (String segment : path.split("/", -1)) {
            String s = segment.toLowerCase(java.util.Locale.ROOT).replace("%2e", ".");
            bad |= s.equals(".") || s.equals("..");
        }
        if (bad) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE,
                    "The request path is not in normal form (dot-segments, empty segments or backslashes); send the path exactly as signed.");
        }
    }

    public static void verify(SignedRequest signed, RequestView request, PublicJwk key) {
        if (SignatureAlgorithms.isWeakRsa(key)) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE,
                    "RSA keys shorter than " + SignatureAlgorithms.MIN_RSA_MODULUS_BITS + " bits are not accepted.");
        }
        if ("EC".equals(key.kty()) && SignatureAlgorithms.isHighS(key.crv(), signed.signature())) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "The ECDSA signature has a high S value; sign with low S (s <= n/2).");
        }
        String base = SignatureBase.build(request, signed.components(), signed.signatureParams());
        if (!SignatureAlgorithms.verifyHttp(key, base.getBytes(StandardCharsets.UTF_8), signed.signature())) {
            throw new AAuthException(AAuthError.INVALID_SIGNATURE, "The HTTP message signature does not verify.");
        }
    }
}
