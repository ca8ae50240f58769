package dev.tallyman.spi.network;

import java.net.Inet4Address;
import java.util.Objects;
import java.util.Optional;

/**
 * The IPv4 addressing of a network, decided by the host's IPAM before the driver sees the network.
 *
 * @param subnet the network's subnet
 * @param gateway the gateway address, inside the subnet; a bridge driver puts it on the bridge
 * @param ipRange where dynamic addresses come from ({@code --ip-range}); empty: the whole subnet
 */
public record Ipv4Config(Ipv4Subnet subnet, Inet4Address gateway, Optional<Ipv4Subnet> ipRange) {
    public Ipv4Config {
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(ipRange, "ipRange");
        if (!subnet.contains(gateway)) {
            throw new IllegalArgumentException("gateway " + gateway.getHostAddress() + " is outside " + subnet);
        }
    }
}
