package dev.tallyman.network.bridge;

import dev.tallyman.spi.linux.NftElements;
import dev.tallyman.spi.network.Ipv4Subnet;
import dev.tallyman.spi.network.PortMapping;
import java.net.Inet4Address;
import java.util.List;

/**
 * Writes the nftables scripts of one driver instance. Everything lives in one table of the instance's own
 * (family {@code ip}). The rules never change; what networks and endpoints add are elements of named sets
 * and maps, so that creating a network or publishing a port is one atomic {@code nft -f -} batch of element
 * additions, and removing one deletes exactly those elements, found again by key after a restart:
 *
 * <ul>
 *   <li>{@code bridges}: every bridge of this instance; {@code self}: each bridge paired with itself;
 *       {@code internal}: bridges of {@code --internal} networks; {@code masq}: subnets masqueraded on the way
 *       out (every non-internal network).</li>
 *   <li>{@code tcp_any}, {@code udp_any}: host port to container address and port, for ports published on
 *       every host address; {@code tcp_addr}, {@code udp_addr}: host address and port to container address
 *       and port, for {@code -p ip:h:c}. Each element carries the endpoint in its comment.</li>
 * </ul>
 *
 * <p>Published ports are forwarded by DNAT in prerouting (traffic from outside and from containers) and in
 * output (clients on the host itself, 127.0.0.1 included). Traffic from loopback into a bridge, and traffic a
 * container sends to a published port (hairpin), is masqueraded so that the answer comes back the same way;
 * the bridge gets {@code route_localnet} so that 127.0.0.1 may leave through it at all. This is what Docker
 * does with {@code userland-proxy=false}.
 *
 * <p>Isolation: nothing is forwarded into a bridge of this instance from elsewhere (another of its bridges,
 * another interface of the host) except connections to a published port and answers to connections made from
 * inside, as Docker 28 does; nothing is forwarded into or out of an internal network's bridge. An accept here does not
 * override a drop of another table: on a host where Docker's iptables set the FORWARD policy to DROP,
 * containers here cannot reach beyond the host until that policy (or a rule for our bridges) allows it.
 */
final class Firewall {
    private final String table;

    Firewall(String table) {
        this.table = table;
    }

    String table() {
        return table;
    }

    /** Declares the table, its sets, maps and chains; harmless when they exist (nothing is flushed). */
    String declarations() {
        String t = "ip " + table;
        return String.join("\n",
                "add table " + t,
                "add set " + t + " bridges { type ifname; }",
                "add set " + t + " internal { type ifname; }",
                "add set " + t + " self { type ifname . ifname; }",
                "add set " + t + " masq { type ipv4_addr; flags interval; }",
                "add map " + t + " tcp_any { type inet_service : ipv4_addr . inet_service; }",
                "add map " + t + " udp_any { type inet_service : ipv4_addr . inet_service; }",
                "add map " + t + " tcp_addr { type ipv4_addr . inet_service : ipv4_addr . inet_service; }",
                "add map " + t + " udp_addr { type ipv4_addr . inet_service : ipv4_addr . inet_service; }",
                "add chain " + t + " prerouting { type nat hook prerouting priority dstnat; policy accept; }",
                "add chain " + t + " output { type nat hook output priority -100; policy accept; }",
                "add chain " + t + " postrouting { type nat hook postrouting priority srcnat; policy accept; }",
                "add chain " + t + " forward { type filter hook forward priority filter; policy accept; }",
                "add chain " + t + " ports",
                "");
    }

    /** The declarations plus the fixed rules, flushed and written anew in the same transaction. */
    String skeleton() {
        String t = "ip " + table;
        return declarations() + String.join("\n",
                "flush chain " + t + " prerouting",
                "flush chain " + t + " output",
                "flush chain " + t + " postrouting",
                "flush chain " + t + " forward",
                "flush chain " + t + " ports",
                "add rule " + t + " prerouting fib daddr type local jump ports",
                "add rule " + t + " output fib daddr type local jump ports",
                "add rule " + t + " ports dnat ip to ip daddr . tcp dport map @tcp_addr",
                "add rule " + t + " ports dnat ip to tcp dport map @tcp_any",
                "add rule " + t + " ports dnat ip to ip daddr . udp dport map @udp_addr",
                "add rule " + t + " ports dnat ip to udp dport map @udp_any",
                "add rule " + t + " postrouting oifname @bridges ip saddr 127.0.0.0/8 masquerade",
                "add rule " + t + " postrouting oifname @bridges iifname @bridges ct status dnat masquerade",
                "add rule " + t + " postrouting oifname != @bridges ip saddr @masq masquerade",
                "add rule " + t + " forward ct state established,related accept",
                // With br_netfilter loaded, traffic inside one bridge passes here too, in and out of that bridge.
                "add rule " + t + " forward iifname . oifname @self accept",
                "add rule " + t + " forward iifname @internal drop",
                "add rule " + t + " forward oifname @internal drop",
                // Into a bridge from elsewhere (another bridge, another host) only to published ports.
                "add rule " + t + " forward oifname @bridges ct status dnat accept",
                "add rule " + t + " forward oifname @bridges drop",
                "");
    }

    /** Elements that make {@code bridge} one of ours; an internal one, or one whose subnet is masqueraded. */
    String networkElements(String verb, String bridge, Ipv4Subnet subnet, boolean internal) {
        String t = "ip " + table;
        StringBuilder s = new StringBuilder()
                .append(verb).append(" element ").append(t).append(" bridges { ").append(quote(bridge)).append(" }\n")
                .append(verb).append(" element ").append(t).append(" self { ").append(quote(bridge)).append(" . ")
                .append(quote(bridge)).append(" }\n");
        if (internal) {
            s.append(verb).append(" element ").append(t).append(" internal { ").append(quote(bridge)).append(" }\n");
        } else if (subnet != null) {
            s.append(verb).append(" element ").append(t).append(" masq { ").append(subnet).append(" }\n");
        }
        return s.toString();
    }

    /** Adds the forwarding of one published port; fails (EEXIST) when another endpoint holds the same key. */
    String addPort(PortMapping port, Inet4Address container, String comment) {
        return "add element ip " + table + " " + mapOf(port) + " { " + key(port) + " comment " + quote(comment)
                + " : " + container.getHostAddress() + " . " + port.containerPort() + " }\n";
    }

    /**
     * Removes the forwarding of one published port when it is this endpoint's. Adding the same element first
     * makes a missing one present (so the delete cannot fail on absence) and fails when the key belongs to a
     * different endpoint (so the delete never takes another endpoint's forwarding).
     */
    String removePort(PortMapping port, Inet4Address container) {
        String map = mapOf(port);
        return "add element ip " + table + " " + map + " { " + key(port) + " : " + container.getHostAddress() + " . "
                + port.containerPort() + " }\n"
                + "delete element ip " + table + " " + map + " { " + key(port) + " }\n";
    }

    /** The elements that forward one published port, for {@link NftElements} (no fork of nft). */
    static NftElements.Change addPortElement(PortMapping port, Inet4Address container, String comment) {
        return NftElements.Change.add(mapOf(port), keyBytes(port), target(container, port.containerPort()), comment);
    }

    /**
     * Removes one published port's forwarding if it is this endpoint's: the add first makes a missing element
     * present and fails with EEXIST when the key is another endpoint's, as {@link #removePort} does.
     */
    static List<NftElements.Change> removePortElements(PortMapping port, Inet4Address container) {
        return List.of(
                NftElements.Change.add(mapOf(port), keyBytes(port), target(container, port.containerPort()), null),
                NftElements.Change.delete(mapOf(port), keyBytes(port)));
    }

    /** A key in the map's layout: the port (2 bytes), or address and port, each part padded to 4 bytes. */
    private static byte[] keyBytes(PortMapping port) {
        if (port.hostIp().isEmpty() || port.hostIp().equals("0.0.0.0")) {
            return new byte[] {(byte) (port.hostPort() >> 8), (byte) port.hostPort()};
        }
        return target(Ipv4Subnet.parseAddress(port.hostIp()), port.hostPort());
    }

    /** {@code ipv4_addr . inet_service}: 4 address bytes, then the port big-endian and 2 bytes of padding. */
    private static byte[] target(Inet4Address address, int port) {
        byte[] a = address.getAddress();
        return new byte[] {a[0], a[1], a[2], a[3], (byte) (port >> 8), (byte) port, 0, 0};
    }

    private static String mapOf(PortMapping port) {
        return port.protocol().wire() + (port.hostIp().isEmpty() || port.hostIp().equals("0.0.0.0") ? "_any" : "_addr");
    }

    private static String key(PortMapping port) {
        return port.hostIp().isEmpty() || port.hostIp().equals("0.0.0.0")
                ? String.valueOf(port.hostPort())
                : port.hostIp() + " . " + port.hostPort();
    }

    private static String quote(String text) {
        return "\"" + text.replace("\"", "") + "\"";
    }

    /** Ports with an IPv6 host address are not forwarded by this IPv4 table. */
    static boolean isIpv4(PortMapping port) {
        return !port.hostIp().contains(":");
    }

    static List<PortMapping> ipv4Only(List<PortMapping> ports) {
        return ports.stream().filter(Firewall::isIpv4).toList();
    }
}
