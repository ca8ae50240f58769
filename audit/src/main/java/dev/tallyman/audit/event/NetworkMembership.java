package dev.tallyman.audit.event;

import java.util.List;

/**
 * That a container belongs to a network, as docker create's NetworkingConfig or docker network connect said:
 * kept while the container is stopped, joined at each start.
 *
 * @param networkId the network's id at the time it was named
 * @param networkName the network's name, for inspect's Networks map
 * @param aliases --network-alias / connect --alias
 * @param ipv4Address --ip / connect --ip, "" for any free address
 */
public record NetworkMembership(String networkId, String networkName, List<String> aliases, String ipv4Address) {
    public NetworkMembership {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ipv4Address = ipv4Address == null ? "" : ipv4Address;
    }
}
