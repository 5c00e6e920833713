package dev.aauth.keycloak.remote;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guard's decision function only: no packet is sent to any of these addresses. */
class AddressGuardTest {

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
