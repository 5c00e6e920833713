package dev.aauth.keycloak.person;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.util.JsonSerialization;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code Accept-Signature-Alg} (draft-hardt-oauth-aauth-protocol §Signature Algorithms) is one list for
 * both servers: the provider's is exactly {@code packages/core/data/accept-signature-algs.json}.
 */
class AcceptSignatureAlgsTest {

    @Test
    void thePersonServerAdvertisesExactlyTheSharedList() throws Exception {
        JsonNode shared = JsonSerialization.mapper.readTree(Files.readAllBytes(Path.of("../core/data/accept-signature-algs.json")));
        List<String> expected = new ArrayList<>();
        shared.path("algorithms").forEach(a -> expected.add(a.asText()));
        assertEquals(expected, DwkJwt.HTTP_ALGORITHMS);
    }
}
