package dev.aauth.keycloak.remote;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's decision function only: no packet is sent to any of these addresses. The samples are
 * the TypeScript guard's too (packages/core/data/address-guard-samples.json, a test resource of this
 * build), so both auth servers are held to one table of refused ranges.
 */
class AddressGuardTest {

    static List<Arguments> sharedSamples() throws IOException {
        try (InputStream in = AddressGuardTest.class.getResourceAsStream("address-guard-samples.json")) {
            if (in == null) {
                throw new IOException("address-guard-samples.json is not on the test classpath");
            }
            List<Arguments> out = new ArrayList<>();
            for (JsonNode sample : new ObjectMapper().readTree(in).get("samples")) {
                out.add(Arguments.of(sample.get("address").asText(), sample.get("class").asText()));
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0} is {1}")
    @MethodSource("sharedSamples")
    @DisplayName("Given a shared sample address then its class and the decision under each policy match the fixture")
    void sharedSampleDecisions(String literal, String expectedClass) throws Exception {
        InetAddress a = ip(literal);
        assertEquals(expectedClass, new AddressGuard(false).classify(a).name().toLowerCase(Locale.ROOT).replace('_', '-'));
        assertEquals(expectedClass.equals("public"), new AddressGuard(false, false).isAllowed(a), "default");
        assertEquals(expectedClass.equals("public") || expectedClass.equals("loopback"), new AddressGuard(true, false).isAllowed(a), "allowLoopback");
        assertEquals(expectedClass.equals("public") || expectedClass.equals("private"), new AddressGuard(false, true).isAllowed(a), "allowPrivate");
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // an IP literal: no DNS lookup
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
            "224.0.0.1", "255.255.255.255", "fe80::1", "fc00::1", "fd12::1", "::", "::ffff:10.0.0.1", "::ffff:169.254.169.254"})
    @DisplayName("Given a private, link-local or special address then it is refused in both modes")
    void refusedAlways(String literal) throws Exception {
        assertFalse(new AddressGuard(false).isAllowed(ip(literal)));
        assertFalse(new AddressGuard(true).isAllowed(ip(literal)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "172.16.0.1", "192.168.1.1", "fd12::1"})
    @DisplayName("Given private-network mode then site-local and unique-local addresses are admitted, link-local never")
    void privateNetwork(String literal) throws Exception {
        AddressGuard g = new AddressGuard(false, true);
        assertTrue(g.isAllowed(ip(literal)));
        assertTrue(g.httpAllowed(new InetAddress[] {ip(literal)}));
        assertFalse(g.isAllowed(ip("169.254.169.254")));
        assertFalse(g.httpAllowed(new InetAddress[] {ip("93.184.216.34")}));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"})
    @DisplayName("Given loopback then it is allowed only when the realm allows loopback")
    void loopback(String literal) throws Exception {
        assertFalse(new AddressGuard(false).isAllowed(ip(literal)));
        assertTrue(new AddressGuard(true).isAllowed(ip(literal)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "2606:4700::1111"})
    @DisplayName("Given a public address then it is allowed")
    void publicAddresses(String literal) throws Exception {
        assertTrue(new AddressGuard(false).isAllowed(ip(literal)));
    }

    @Test
    @DisplayName("Given *.localhost names then they map to 127.0.0.1 only in loopback mode")
    void localhostNames() throws Exception {
        InetAddress[] a = new AddressGuard(true).resolve("agent.localhost");
        assertEquals("127.0.0.1", a[0].getHostAddress());
        assertTrue(AddressGuard.allLoopback(a));
        assertThrows(UnknownHostException.class, () -> new AddressGuard(false).resolve("agent.localhost"));
        assertThrows(UnknownHostException.class, () -> new AddressGuard(false).resolve("localhost"));
        assertThrows(UnknownHostException.class, () -> new AddressGuard(false).resolve("127.0.0.1"));
        assertThrows(UnknownHostException.class, () -> new AddressGuard(true).resolve("10.0.0.1"));
    }
}
