package dev.tallyman.host.commands.networks;

import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.spi.network.Ipv4Config;
import dev.tallyman.spi.network.Ipv4Subnet;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;
import java.util.Map;
import java.util.Optional;

/** The loaded network drivers by Docker's driver name, and the {@link NetworkSpec} a driver sees for a network. */
public final class NetworkDrivers {
    private final Map<String, NetworkDriver> byName;

    public NetworkDrivers(Map<String, NetworkDriver> byName) {
        this.byName = Map.copyOf(byName);
    }

    public Optional<NetworkDriver> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public NetworkDriver require(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException("network driver " + name + " is not loaded"));
    }

    public java.util.Set<String> names() {
        return byName.keySet();
    }

    public static NetworkSpec specOf(NetworkView network) {
        Optional<Ipv4Config> ipv4 = network.hasAddresses()
                ? Optional.of(new Ipv4Config(Ipv4Subnet.parse(network.subnet()), Ipv4Subnet.parseAddress(network.gateway()),
                        network.ipRange().isEmpty() ? Optional.empty() : Optional.of(Ipv4Subnet.parse(network.ipRange()))))
                : Optional.empty();
        return new NetworkSpec(network.id(), network.name(), network.options(), ipv4, network.internal());
    }
}
