package dev.aauth.keycloak.signature;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;
import java.util.Map;

/** Published test keys: RFC 9421 B.1.4 {@code test-key-ed25519} and RFC 8037 A.1. */
public final class TestKeys {
    /** RFC 9421 B.1.4: the agent key of wire notes §9.2. */
    public static final String AGENT_D = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
    public static final String AGENT_X = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
    public static final String AGENT_JKT = "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";
    /** RFC 8037 A.1: the agent provider key of wire notes §9.2. */
    public static final String PROVIDER_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    public static final String PROVIDER_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    public static final String PROVIDER_JKT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

    private TestKeys() {
    }

    public static Map<String, Object> okp(String x) {
        return Map.of("kty", "OKP", "crv", "Ed25519", "x", x);
    }

    public static PrivateKey ed25519Private(String dB64url) throws Exception {
        byte[] d = Base64.getUrlDecoder().decode(dB64url);
        return KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, d));
    }

    public static byte[] sign(PrivateKey key, String data) throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(data.getBytes(StandardCharsets.UTF_8));
        return s.sign();
    }

    public static String b64url(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static BigInteger unused() {
        return BigInteger.ZERO;
    }
}
