package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Person Server's error codes and statuses are the current profile's, read from the one place the
 * TypeScript side spells them ({@code packages/core/src/profile/aauth-current.ts}, {@code errors} and
 * {@code signatureErrors}), so the two servers cannot drift apart.
 */
class WireCodesTest {

    private static final Path PROFILE = Path.of("..", "core", "src", "profile", "aauth-current.ts");
    /** Not in the profile's table: realm policy and pending-URL answers of the contract (docs/person-server-contract.md). */
    private static final Set<AAuthError> CONTRACT_ONLY = Set.of(AAuthError.ACCESS_DENIED, AAuthError.NOT_FOUND, AAuthError.GONE);

    private static Map<String, Integer> table(String source, String name) {
        Matcher block = Pattern.compile("\\b" + name + ": Object\\.freeze\\(\\{([^}]*)\\}").matcher(source);
        assertTrue(block.find(), name + " not found in " + PROFILE);
        Map<String, Integer> out = new HashMap<>();
        Matcher entry = Pattern.compile("([a-z_]+): (\\d{3})").matcher(block.group(1));
        while (entry.find()) {
            out.put(entry.group(1), Integer.parseInt(entry.group(2)));
        }
        return out;
    }

    @Test
    void everyEndpointErrorHasTheProfilesCodeAndStatus() throws Exception {
        Map<String, Integer> errors = table(Files.readString(PROFILE), "errors");
        for (AAuthError e : AAuthError.values()) {
            if (e.personServerStatus() != 0 && !CONTRACT_ONLY.contains(e)) {
                assertEquals(errors.get(e.code()), e.personServerStatus(), e + " (" + e.code() + ") against the profile");
            }
        }
    }

    @Test
    void aCodeThePersonServerNeverAnswersCannotBeThrownThere() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PsException(AAuthError.INVALID_GRANT, "x"));
        assertEquals(400, new PsException(AAuthError.INVALID_AGENT_TOKEN, "x").status());
        assertEquals(401, AAuthError.INVALID_AGENT_TOKEN.status());
    }

    @Test
    void everySignatureErrorWeSendIsOneOfTheProfiles() throws Exception {
        Map<String, Integer> sig = table(Files.readString(PROFILE), "signatureErrors");
        for (String code : new String[] {"invalid_request", "invalid_input", "invalid_signature", "unsupported_scheme",
                "unsupported_algorithm", "invalid_key", "invalid_jwt", "expired_jwt", "issuer_missing", "issuer_mismatch"}) {
            assertEquals(401, sig.get(code), code);
            assertEquals(401, PsException.signature(code, "x").status());
        }
    }
}
