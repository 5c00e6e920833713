package dev.aauth.keycloak.x509;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.signature.PublicJwk;
import org.keycloak.util.JsonSerialization;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates an {@code x509} Signature-Key chain (Signature-Key draft at f22a52e, §X.509 Certificates;
 * contract "x509 agents"): the PEM at {@code x5u} lists the leaf first, each certificate followed by its
 * issuer (RFC 7517 §4.6), and {@code x5t} is the SHA-256 of the leaf's DER. In order:
 * <ol>
 *   <li>1–10 certificates parse and {@code x5t} names the first;</li>
 *   <li>each certificate's issuer name is the next one's subject (the order the draft gives);</li>
 *   <li>JDK PKIX ({@link CertPathValidator}) to the realm's anchors at the current time: each link's
 *       signature, validity, basicConstraints cA and keyUsage keyCertSign on intermediates,
 *       pathLenConstraint, name constraints, unrecognised critical extensions. Revocation checking is
 *       off: the profile names no revocation source, and CRL/OCSP URLs inside certificates would be
 *       fetches chosen by the caller;</li>
 *   <li>the leaf's keyUsage, when present, allows digitalSignature (PKIX leaves the leaf's purpose to
 *       the application);</li>
 *   <li>the leaf's key becomes the key the HTTP signature must verify with.</li>
 * </ol>
 * Anchors are trusted as name and key (their own dates and constraints are not applied), as PKIX does
 * for a {@link TrustAnchor} made from a certificate. Each defect is {@code 401 invalid_signature} with
 * its own sentence.
 */
public final class X509ChainVerifier {

    public static final int MAX_CHAIN_LENGTH = 10;

    /** The leaf's key and its URI subjectAltNames (how an agent names itself). */
    public record Certified(PublicJwk key, List<String> uris) {
    }

    private X509ChainVerifier() {
    }

    /** The refusal when the realm has no anchors (nothing to validate to). */
    public static AAuthException noAnchors() {
        return new AAuthException(AAuthError.INVALID_SIGNATURE,
                "The x509 Signature-Key scheme is not accepted here: no X.509 trust anchors are configured.");
    }

    /** Anchors from PEM text holding one or more CERTIFICATE blocks. */
    public static Set<TrustAnchor> parseAnchors(String pem) throws CertificateException {
        Set<TrustAnchor> anchors = new LinkedHashSet<>();
        for (X509Certificate cert : parsePem(pem)) {
            anchors.add(new TrustAnchor(cert, null));
        }
        if (anchors.isEmpty()) {
            throw new CertificateException("no certificate in the PEM text");
        }
        return Collections.unmodifiableSet(anchors);
    }

    private static List<X509Certificate> parsePem(String pem) throws CertificateException {
        Collection<? extends java.security.cert.Certificate> parsed = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        List<X509Certificate> out = new ArrayList<>();
        for (java.security.cert.Certificate c : parsed) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    public static Certified verify(String pem, byte[] x5t, Set<TrustAnchor> anchors, long nowSeconds) {
        if (anchors.isEmpty()) {
            throw noAnchors();
        }
        List<X509Certificate> chain;
        try {
            chain = parsePem(pem);
        } catch (CertificateException | RuntimeException e) {
            throw refuse("x5u did not return a PEM certificate chain.");
        }
        if (chain.isEmpty()) {
            throw refuse("x5u did not return a PEM certificate chain.");
        }
        if (chain.size() > MAX_CHAIN_LENGTH) {
            throw refuse("The certificate chain has more than " + MAX_CHAIN_LENGTH + " certificates.");
        }
        X509Certificate leaf = chain.get(0);
        if (!MessageDigest.isEqual(sha256(encoded(leaf)), x5t)) {
            throw refuse("x5t is not the SHA-256 thumbprint of the first certificate at x5u.");
        }
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate cert : chain) {
            if (isAnchor(cert, anchors)) {
                break;
            }
            path.add(cert);
        }
        if (path.isEmpty()) {
            throw refuse("The leaf certificate is itself a trust anchor; anchors must be CA certificates.");
        }
        for (int i = 0; i + 1 < path.size(); i++) {
            if (!path.get(i).getIssuerX500Principal().equals(path.get(i + 1).getSubjectX500Principal())) {
                throw refuse(capitalised(position(i)) + " was not issued by the certificate after it; the x5u chain must list the leaf first, each certificate followed by its issuer.");
            }
        }
        validate(path, anchors, nowSeconds);
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage != null && (keyUsage.length == 0 || !keyUsage[0])) {
            throw refuse("The leaf certificate's keyUsage does not allow digitalSignature.");
        }
        return new Certified(leafKey(leaf.getPublicKey()), uris(leaf));
    }

    private static void validate(List<X509Certificate> path, Set<TrustAnchor> anchors, long nowSeconds) {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(new Date(nowSeconds * 1000L));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (CertPathValidatorException e) {
            throw refuse(sentence(e, path));
        } catch (java.security.GeneralSecurityException e) {
            throw refuse("The certificate chain could not be validated: " + e.getMessage() + ".");
        }
    }

    /** One sentence per defect; the index is the certificate's place in the path (0 = leaf). */
    private static String sentence(CertPathValidatorException e, List<X509Certificate> path) {
        int index = e.getIndex();
        String where = index >= 0 && index < path.size() ? position(index) : "a certificate in the chain";
        CertPathValidatorException.Reason reason = e.getReason();
        if (reason == CertPathValidatorException.BasicReason.EXPIRED) {
            String when = index >= 0 && index < path.size() ? " at " + path.get(index).getNotAfter().toInstant() : "";
            return capitalised(where) + " expired" + when + ".";
        }
        if (reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            String when = index >= 0 && index < path.size() ? " before " + path.get(index).getNotBefore().toInstant() : " yet";
            return capitalised(where) + " is not valid" + when + ".";
        }
        if (reason == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
            return "The signature on " + where + " does not verify with its issuer's key.";
        }
        if (reason == PKIXReason.NO_TRUST_ANCHOR) {
            return "The certificate chain does not lead to a configured trust anchor.";
        }
        if (reason == PKIXReason.NOT_CA_CERT) {
            return capitalised(where) + " is not a CA (basicConstraints cA is not set), so it cannot issue certificates.";
        }
        if (reason == PKIXReason.PATH_TOO_LONG) {
            return "The chain is longer than an intermediate certificate's pathLenConstraint allows.";
        }
        if (reason == PKIXReason.INVALID_NAME) {
            return "A name in the chain is outside an intermediate certificate's name constraints.";
        }
        if (reason == PKIXReason.INVALID_KEY_USAGE) {
            return capitalised(where) + "'s keyUsage does not allow it to issue certificates (keyCertSign).";
        }
        if (reason == PKIXReason.UNRECOGNIZED_CRIT_EXT) {
            return capitalised(where) + " carries a critical extension this verifier does not process.";
        }
        return "The certificate chain is not valid: " + e.getMessage() + ".";
    }

    private static String position(int index) {
        return index == 0 ? "the leaf certificate" : "intermediate certificate " + index;
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static boolean isAnchor(X509Certificate cert, Set<TrustAnchor> anchors) {
        for (TrustAnchor a : anchors) {
            if (a.getTrustedCert() != null && Arrays.equals(encoded(a.getTrustedCert()), encoded(cert))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw refuse("A certificate in the chain cannot be encoded.");
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> uris(X509Certificate leaf) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    // RFC 5280 §4.2.1.6: GeneralName [6] uniformResourceIdentifier.
                    if (name.size() >= 2 && Integer.valueOf(6).equals(name.get(0)) && name.get(1) instanceof String uri) {
                        out.add(uri);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw refuse("The leaf certificate's subjectAltName does not parse.");
        }
        return Collections.unmodifiableList(out);
    }

    /** The leaf's key as a JWK (RFC 7517), so that it is checked and thumbprinted like every other key. */
    private static PublicJwk leafKey(PublicKey key) {
        ObjectNode jwk = JsonSerialization.mapper.createObjectNode();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            int size = (bits + 7) / 8;
            jwk.put("kty", "EC").put("crv", bits == 384 ? "P-384" : bits == 256 ? "P-256" : "unsupported")
                    .put("x", b64.encodeToString(unsigned(ec.getW().getAffineX(), size)))
                    .put("y", b64.encodeToString(unsigned(ec.getW().getAffineY(), size)));
        } else if (key instanceof RSAPublicKey rsa) {
            jwk.put("kty", "RSA")
                    .put("n", b64.encodeToString(unsigned(rsa.getModulus(), (rsa.getModulus().bitLength() + 7) / 8)))
                    .put("e", b64.encodeToString(unsigned(rsa.getPublicExponent(), (rsa.getPublicExponent().bitLength() + 7) / 8)));
        } else if ("Ed25519".equalsIgnoreCase(key.getAlgorithm()) || "EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            byte[] spki = key.getEncoded();
            // RFC 8410 §4: the SubjectPublicKeyInfo of Ed25519 ends with the 32-byte public key.
            jwk.put("kty", "OKP").put("crv", "Ed25519").put("x", b64.encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
        } else {
            throw refuse("The leaf certificate's key is not a supported signing key (Ed25519, P-256 or RSA).");
        }
        try {
            return PublicJwk.parse(jwk);
        } catch (IllegalArgumentException e) {
            throw refuse("The leaf certificate's key is not a supported signing key (Ed25519, P-256 or RSA).");
        }
    }

    private static byte[] unsigned(BigInteger value, int size) {
        byte[] raw = value.toByteArray();
        if (raw.length == size) {
            return raw;
        }
        byte[] out = new byte[size];
        int copy = Math.min(raw.length, size);
        System.arraycopy(raw, raw.length - copy, out, size - copy, copy);
        return out;
    }

    private static AAuthException refuse(String message) {
        return new AAuthException(AAuthError.INVALID_SIGNATURE, message);
    }
}
