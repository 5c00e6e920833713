package dev.aauth.keycloak.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keycloak.jose.jwk.JWK;
import org.keycloak.jose.jwk.JWKParser;
import org.keycloak.util.JWKSUtils;
import org.keycloak.util.JsonSerialization;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;
import java.util.Map;

/**
 * A public JWK as received (from {@code cnf.jwk}, a JWKS, or {@code hwk} parameters), with its
 * Java key and RFC 7638 thumbprint. Keys are compared by thumbprint only, never by JSON equality
 * (draft-hardt-aauth c465b2d §Agent Token: "cnf.jwk matches the signing key").
 */
public final class PublicJwk {

    private final String kty;
    private final String crv;
    private final String alg;
    private final ObjectNode publicMembers;
    private final PublicKey publicKey;
    private final String thumbprint;

    private PublicJwk(String kty, String crv, String alg, ObjectNode publicMembers, PublicKey publicKey, String thumbprint) {
        this.kty = kty;
        this.crv = crv;
        this.alg = alg;
        this.publicMembers = publicMembers;
        this.publicKey = publicKey;
        this.thumbprint = thumbprint;
    }

    /**
     * Parses a JWK object. Accepts RSA, EC (P-256, P-384) and OKP (Ed25519) keys; refuses symmetric
     * keys and anything Keycloak's {@link JWKParser} cannot turn into a public key.
     *
     * @throws IllegalArgumentException with a short reason
     */
    public static PublicJwk parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the key is not a JSON object");
        }
        String kty = text(node, "kty");
        String[] members;
        if ("OKP".equals(kty)) {
            members = new String[] {"kty", "crv", "x"};
            if (!"Ed25519".equals(text(node, "crv"))) {
                throw new IllegalArgumentException("only the Ed25519 curve is supported for OKP keys");
            }
        } else if ("EC".equals(kty)) {
            members = new String[] {"kty", "crv", "x", "y"};
            String crv = text(node, "crv");
            if (!"P-256".equals(crv) && !"P-384".equals(crv)) {
                throw new IllegalArgumentException("only P-256 and P-384 are supported for EC keys");
            }
        } else if ("RSA".equals(kty)) {
            members = new String[] {"kty", "n", "e"};
        } else {
            throw new IllegalArgumentException("unsupported key type " + kty);
        }
        ObjectNode pub = JsonSerialization.mapper.createObjectNode();
        for (String m : members) {
            String v = text(node, m);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException("the key has no '" + m + "' member");
            }
            pub.put(m, v);
        }
        String alg = text(node, "alg");
        JWK jwk = JsonSerialization.mapper.convertValue(pub, JWK.class);
        PublicKey key;
        try {
            key = "EC".equals(kty) ? ecPublicKey(text(node, "crv"), text(node, "x"), text(node, "y")) : JWKParser.create(jwk).toPublicKey();
        } catch (RuntimeException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the key material is invalid");
        }
        if (key == null) {
            throw new IllegalArgumentException("the key material is invalid");
        }
        // RFC 7638 §3: Keycloak's helper reads the required members from the plain JWK built above.
        String thumbprint = JWKSUtils.computeThumbprint(jwk);
        return new PublicJwk(kty, text(node, "crv"), alg, pub, key, thumbprint);
    }

    /**
     * EC keys through the JDK's own provider (RFC 7518 §6.2.1: x and y are the full-length
     * coordinates). Keycloak's parser hands out keys of its crypto provider, which the JDK's
     * {@code SHA256withECDSAinP1363Format} verifier does not take, so every P-256 HTTP signature
     * failed to verify.
     */
    private static PublicKey ecPublicKey(String crv, String x, String y) throws GeneralSecurityException {
        boolean p384 = "P-384".equals(crv);
        int size = p384 ? 48 : 32;
        byte[] xb = Base64.getUrlDecoder().decode(x);
        byte[] yb = Base64.getUrlDecoder().decode(y);
        if (xb.length != size || yb.length != size) {
            throw new InvalidKeyException("EC coordinates must be " + size + " bytes");
        }
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC", "SunEC");
        params.init(new ECGenParameterSpec(p384 ? "secp384r1" : "secp256r1"));
        ECPoint point = new ECPoint(new BigInteger(1, xb), new BigInteger(1, yb));
        return KeyFactory.getInstance("EC", "SunEC").generatePublic(new ECPublicKeySpec(point, params.getParameterSpec(ECParameterSpec.class)));
    }

    public static PublicJwk parse(Map<String, ?> map) {
        return parse(JsonSerialization.mapper.<JsonNode>valueToTree(map));
    }

    private static String text(JsonNode node, String name) {
        JsonNode v = node.get(name);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    public String kty() {
        return kty;
    }

    /** Curve for EC and OKP keys, null for RSA. */
    public String crv() {
        return crv;
    }

    /** The JWK {@code alg} member if the publisher gave one. */
    public String alg() {
        return alg;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** RFC 7638 SHA-256 thumbprint, base64url. */
    public String thumbprint() {
        return thumbprint;
    }

    /** A copy with public members only, for {@code cnf.jwk} in issued tokens. */
    public ObjectNode publicMembers() {
        return publicMembers.deepCopy();
    }
}
