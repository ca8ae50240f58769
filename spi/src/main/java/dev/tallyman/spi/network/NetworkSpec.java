package dev.tallyman.spi.network;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A network as the host knows it. The driver keeps the kernel objects for it and nothing else: the record of
 * which networks exist, and which addresses are taken, is the host's.
 *
 * @param id the network's id (64 hex characters for user networks)
 * @param name the user-facing name ({@code bridge}, {@code host}, {@code none}, or a user's)
 * @param options driver options from {@code docker network create -o}, in Docker's key names
 *                (e.g. {@code com.docker.network.bridge.name})
 * @param ipv4 the addressing the host chose; empty for networks without addresses (host, none)
 * @param internal true for {@code --internal}: no traffic leaves the network, no NAT
 */
public record NetworkSpec(String id, String name, Map<String, String> options, Optional<Ipv4Config> ipv4,
                          boolean internal) {
    public NetworkSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        options = Map.copyOf(options);
        Objects.requireNonNull(ipv4, "ipv4");
    }

    /** A network without addresses or options, as {@code host} and {@code none} are. */
    public static NetworkSpec plain(String id, String name) {
        return new NetworkSpec(id, name, Map.of(), Optional.empty(), false);
    }
}
