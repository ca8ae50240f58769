package dev.tallyman.spi.network;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One container's place on one network. The pair (network id, container id) names the endpoint: a driver
 * derives the names of the kernel objects it makes for it (veth names, rule comments) from that pair, so that
 * {@link NetworkDriver#leave} finds them again after a restart of the service.
 *
 * @param containerId the container's full id
 * @param namespace the container's network namespace (a bind-mounted file the host made and keeps); empty for
 *                  drivers that make no interface in it (host, none)
 * @param interfaceName the interface name inside the container: {@code eth0} for the first network, then eth1…
 * @param ipv4 the address the host's IPAM gave the endpoint, inside the network's subnet
 * @param macAddress the MAC address for the container's interface ({@code 02:42:…} from the address, as Docker does)
 * @param ports the ports to publish for this endpoint, all with concrete host ports
 */
public record Endpoint(String containerId, Optional<Path> namespace, String interfaceName, Optional<Inet4Address> ipv4,
                       Optional<String> macAddress, List<PortMapping> ports) {
    public Endpoint {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(ipv4, "ipv4");
        Objects.requireNonNull(macAddress, "macAddress");
        ports = List.copyOf(ports);
    }

    /** An endpoint of a driver that configures nothing inside the container (host, none). */
    public static Endpoint bare(String containerId) {
        return new Endpoint(containerId, Optional.empty(), "eth0", Optional.empty(), Optional.empty(), List.of());
    }
}
