package dev.aauth.keycloak.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Decides which addresses the auth server may fetch metadata and JWKS from (draft-hardt-aauth c465b2d
 * §Security Considerations: identifiers are attacker-chosen URLs, so every fetch is a potential SSRF).
 *
 * <p>The refused ranges are data: {@code special-purpose-addresses.json}, from the IANA IPv4 and IPv6
 * special-purpose address registries, packaged from packages/core/data, the same file the TypeScript
 * guard reads, so both auth servers refuse exactly the same addresses. The longest matching prefix
 * decides; forms that embed an IPv4 address (mapped, compatible, translated, NAT64, 6to4) are judged
 * on that address.
 *
 * <p>Loopback is refused unless the realm sets {@code aauth.allowLoopback=true} (contract, policy
 * table), which is a development setting; in that mode {@code localhost} and {@code *.localhost} names
 * resolve to 127.0.0.1 without asking DNS (RFC 6761 §6.3), so agents and resources can be told apart
 * by name on one machine.
 *
 * <p>A second development switch, realm attribute {@code aauth.allowPrivateNetwork=true} (not in the
 * contract), admits RFC 1918 and unique-local addresses, for containers that reach each other by
 * service name on a private bridge network. Link-local (cloud metadata endpoints) stays refused.
 */
public final class AddressGuard {

    /** What an address is, as far as fetching from it goes. */
    public enum AddressClass { LOOPBACK, PRIVATE, LINK_LOCAL, RESERVED, PUBLIC }

    private record Range(byte[] prefix, int bits, String cls, int embeddedIpv4At) {
        boolean matches(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (prefix[full] & mask);
        }
    }

    /** Longest prefix first, so the first match is the most specific. */
    private static final List<Range> RANGES = loadRanges();

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

    private static List<Range> loadRanges() {
        try (InputStream in = AddressGuard.class.getResourceAsStream("special-purpose-addresses.json")) {
            if (in == null) {
                throw new IllegalStateException("special-purpose-addresses.json is missing from the provider jar");
            }
            List<Range> ranges = new ArrayList<>();
            for (JsonNode entry : new ObjectMapper().readTree(in).get("ranges")) {
                String[] parts = entry.get("prefix").asText().split("/");
                byte[] prefix = InetAddress.getByName(parts[0]).getAddress(); // a literal: no DNS
                if (parts[0].contains(":") && prefix.length == 4) {
                    // Java turns ::ffff:a.b.c.d into an IPv4 address; prefixes are kept in their own family.
                    byte[] v6 = new byte[16];
                    v6[10] = (byte) 0xff;
                    v6[11] = (byte) 0xff;
                    System.arraycopy(prefix, 0, v6, 12, 4);
                    prefix = v6;
                }
                ranges.add(new Range(prefix, Integer.parseInt(parts[1]), entry.get("class").asText(), entry.path("embeddedIpv4At").asInt(12)));
            }
            ranges.sort(Comparator.comparingInt(Range::bits).reversed());
            return List.copyOf(ranges);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read special-purpose-addresses.json", e);
        }
    }

    /** The class of one address under the shared table. */
    public AddressClass classify(InetAddress address) {
        return classify(address.getAddress());
    }

    private static AddressClass classify(byte[] address) {
        for (Range r : RANGES) {
            if (r.matches(address)) {
                return switch (r.cls()) {
                    case "loopback" -> AddressClass.LOOPBACK;
                    case "private" -> AddressClass.PRIVATE;
                    case "link-local" -> AddressClass.LINK_LOCAL;
                    case "embedded" -> classify(Arrays.copyOfRange(address, r.embeddedIpv4At(), r.embeddedIpv4At() + 4));
                    default -> AddressClass.RESERVED;
                };
            }
        }
        return AddressClass.PUBLIC;
    }

    /** The decision for one resolved address. */
    public boolean isAllowed(InetAddress address) {
        return switch (classify(address)) {
            case PUBLIC -> true;
            case LOOPBACK -> allowLoopback;
            case PRIVATE -> allowPrivate;
            default -> false;
        };
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
            AddressClass c = classify(a);
            boolean local = c == AddressClass.LOOPBACK ? allowLoopback : c == AddressClass.PRIVATE && allowPrivate;
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
}
