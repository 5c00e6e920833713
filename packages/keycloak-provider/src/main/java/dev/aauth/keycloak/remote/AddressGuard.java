package dev.aauth.keycloak.remote;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Decides which addresses the auth server may fetch metadata and JWKS from (draft-hardt-aauth c465b2d
 * §Security Considerations: identifiers are attacker-chosen URLs, so every fetch is a potential SSRF).
 *
 * <p>Refused always: unspecified, link-local, site-local (RFC 1918), unique-local (fc00::/7),
 * carrier-grade NAT (100.64/10), multicast, 0/8 and broadcast. Loopback is refused unless the realm sets
 * {@code aauth.allowLoopback=true} (contract, policy table), which is a development setting; in that
 * mode {@code localhost} and {@code *.localhost} names resolve to 127.0.0.1 without asking DNS
 * (RFC 6761 §6.3), so agents and resources can be told apart by name on one machine.
 *
 * <p>A second development switch, realm attribute {@code aauth.allowPrivateNetwork=true} (not in the
 * contract), admits site-local and unique-local addresses, for containers that reach each other by
 * service name on a private bridge network. Link-local (cloud metadata endpoints) stays refused.
 */
public final class AddressGuard {

    private final boolean allowLoopback;
    private final boolean allowPrivate;

    public AddressGuard(boolean allowLoopback) {
        this(allowLoopback, false);
    }

    public AddressGuard(boolean allowLoopback, boolean allowPrivate) {
        this.allowLoopback = allowLoopback;
        this.allowPrivate = allowPrivate;
    }

    public boolean allowPrivate() {
        return allowPrivate;
    }

    public boolean allowLoopback() {
        return allowLoopback;
    }

    /** The decision for one resolved address. */
    public boolean isAllowed(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            if (isV4Mapped(b)) {
                try {
                    return isAllowed(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return allowPrivate; // fc00::/7 unique local
            }
        }
        if (address.isLoopbackAddress()) {
            return allowLoopback;
        }
        if (address.isAnyLocalAddress() || address.isLinkLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        if (address.isSiteLocalAddress()) {
            return allowPrivate;
        }
        if (address instanceof Inet4Address) {
            byte[] b = address.getAddress();
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0 || first == 255 && second == 255) {
                return false;
            }
            if (first == 100 && second >= 64 && second <= 127) {
                return false; // 100.64.0.0/10
            }
        }
        return true;
    }

    /**
     * Resolves a host name and checks every address; one refused address refuses the name, so a
     * DNS answer mixing public and private addresses cannot be used to reach the private one.
     *
     * @throws UnknownHostException when the name does not resolve or any address is refused
     */
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        InetAddress[] addresses;
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            if (!allowLoopback) {
                throw new UnknownHostException(host + " is a loopback name and loopback fetches are not allowed");
            }
            addresses = new InetAddress[] {InetAddress.getByAddress(h, new byte[] {127, 0, 0, 1})};
        } else {
            addresses = InetAddress.getAllByName(h);
        }
        for (InetAddress a : addresses) {
            if (!isAllowed(a)) {
                throw new UnknownHostException(host + " resolves to a refused address " + a.getHostAddress());
            }
        }
        return addresses;
    }

    /**
     * True when plain http may be used for these addresses: all loopback in loopback mode, or all
     * loopback/private in private-network mode. Public addresses always need https.
     */
    public boolean httpAllowed(InetAddress[] addresses) {
        for (InetAddress a : addresses) {
            boolean local = a.isLoopbackAddress() ? allowLoopback : allowPrivate && isPrivate(a) && isAllowed(a);
            if (!local) {
                return false;
            }
        }
        return addresses.length > 0;
    }

    /** True when every address is loopback. */
    public static boolean allLoopback(InetAddress[] addresses) {
        for (InetAddress a : addresses) {
            if (!a.isLoopbackAddress()) {
                return false;
            }
        }
        return addresses.length > 0;
    }

    /** Site-local (RFC 1918) or unique-local (fc00::/7), including IPv4-mapped forms. */
    private static boolean isPrivate(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            if (isV4Mapped(b)) {
                int first = b[12] & 0xff;
                int second = b[13] & 0xff;
                return first == 10 || first == 172 && second >= 16 && second <= 31 || first == 192 && second == 168;
            }
            return (b[0] & 0xfe) == 0xfc || a.isSiteLocalAddress();
        }
        return a.isSiteLocalAddress();
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }
}
