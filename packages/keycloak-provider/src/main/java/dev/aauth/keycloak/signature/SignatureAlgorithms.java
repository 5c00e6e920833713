package dev.aauth.keycloak.signature;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/**
 * Maps keys to JCA verifiers, for HTTP message signatures (RFC 9421 §3.3, algorithm derived from the
 * key, wire notes §1.6) and for JWS (RFC 7518 §3, algorithm from the header but checked against the key).
 * ECDSA uses the raw r‖s ("P1363") form both formats specify, never DER.
 */
public final class SignatureAlgorithms {

    /** RFC 7518 §3.3 (and NIST SP 800-131A): RSA keys below this size are refused, for JWS and RFC 9421 alike. */
    public static final int MIN_RSA_MODULUS_BITS = 2048;

    /** SEC 2 §2.4.2 and §2.5.1: the group orders n of P-256 and P-384. */
    private static final BigInteger P256_N = new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    private static final BigInteger P384_N = new BigInteger(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16);

    private SignatureAlgorithms() {
    }

    /** An RSA key shorter than {@link #MIN_RSA_MODULUS_BITS}. */
    public static boolean isWeakRsa(PublicJwk key) {
        return key.publicKey() instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_MODULUS_BITS;
    }

    /**
     * An ECDSA r‖s signature whose s lies above n/2. For every valid (r, s), (r, n−s) verifies too, so
     * accepting both would give one signed request two signatures; only low S is accepted (the TS
     * signer emits low S only).
     */
    public static boolean isHighS(String crv, byte[] signature) {
        BigInteger n = "P-384".equals(crv) ? P384_N : "P-256".equals(crv) ? P256_N : null;
        if (n == null || signature == null || signature.length % 2 != 0) {
            return false;
        }
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, signature.length / 2, signature.length));
        return s.compareTo(n.shiftRight(1)) > 0;
    }

    /**
     * RFC 9421 algorithm for a key: Ed25519 → {@code ed25519}, P-256 → {@code ecdsa-p256-sha256},
     * P-384 → {@code ecdsa-p384-sha384}, RSA → {@code rsa-pss-sha512} when the JWK says PS512, else
     * {@code rsa-v1_5-sha256}.
     */
    public static boolean verifyHttp(PublicJwk key, byte[] base, byte[] signature) {
        if (isWeakRsa(key) || ("EC".equals(key.kty()) && isHighS(key.crv(), signature))) {
            return false;
        }
        String jca;
        switch (key.kty()) {
            case "OKP":
                jca = "Ed25519";
                break;
            case "EC":
                jca = "P-384".equals(key.crv()) ? "SHA384withECDSAinP1363Format" : "SHA256withECDSAinP1363Format";
                break;
            case "RSA":
                jca = "PS512".equals(key.alg()) ? "PS512" : "SHA256withRSA";
                break;
            default:
                return false;
        }
        return verify(jca, key.publicKey(), base, signature);
    }

    /**
     * Verifies a JWS signature after checking that the header {@code alg} fits the key type; {@code none}
     * and symmetric algorithms are refused (RFC 8725 §3.1).
     */
    public static boolean verifyJws(String alg, PublicJwk key, byte[] signingInput, byte[] signature) {
        String jca = jwsJcaName(alg, key);
        return jca != null && !isWeakRsa(key) && verify(jca, key.publicKey(), signingInput, signature);
    }

    static String jwsJcaName(String alg, PublicJwk key) {
        if (alg == null) {
            return null;
        }
        switch (alg) {
            case "EdDSA":
            case "Ed25519":
                return "OKP".equals(key.kty()) && "Ed25519".equals(key.crv()) ? "Ed25519" : null;
            case "ES256":
                return "EC".equals(key.kty()) && "P-256".equals(key.crv()) ? "SHA256withECDSAinP1363Format" : null;
            case "ES384":
                return "EC".equals(key.kty()) && "P-384".equals(key.crv()) ? "SHA384withECDSAinP1363Format" : null;
            case "RS256":
                return "RSA".equals(key.kty()) ? "SHA256withRSA" : null;
            case "RS384":
                return "RSA".equals(key.kty()) ? "SHA384withRSA" : null;
            case "RS512":
                return "RSA".equals(key.kty()) ? "SHA512withRSA" : null;
            case "PS256":
            case "PS384":
            case "PS512":
                return "RSA".equals(key.kty()) ? alg : null;
            default:
                return null;
        }
    }

    private static boolean verify(String jca, PublicKey key, byte[] data, byte[] sig) {
        try {
            Signature s;
            if (jca.startsWith("PS")) {
                String hash = "SHA-" + jca.substring(2);
                int saltLen = Integer.parseInt(jca.substring(2)) / 8;
                s = Signature.getInstance("RSASSA-PSS");
                s.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), saltLen, 1));
            } else {
                s = Signature.getInstance(jca);
            }
            s.initVerify(key);
            s.update(data);
            return s.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // Wrong key type for the algorithm, malformed signature bytes: a failed verification, not an error.
            return false;
        }
    }
}
