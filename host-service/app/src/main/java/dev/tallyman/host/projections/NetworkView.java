package dev.tallyman.host.projections;

import dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint;
import dev.tallyman.audit.event.NetworkMembership;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One network as folded from its events. Immutable: each event yields a new view.
 *
 * @param subnet CIDR, "" without addresses
 * @param endpoints container id to its endpoint, in connect order: joined ones and ones whose join is under way
 *                  (their address is taken either way)
 * @param joined ids of containers whose endpoint is in place
 * @param members container id to membership: containers that belong to the network, running or not
 * @param version the version of the network stream's last event
 * @param pendingIntent the type of a create/remove intent that has no outcome yet, or ""
 */
public record NetworkView(String id, String name, String driver, String subnet, String gateway, String ipRange,
                          boolean internal, Map<String, String> labels, Map<String, String> options, Instant created,
                          NetworkState state, Map<String, NetworkEndpoint> endpoints, java.util.Set<String> joined,
                          Map<String, NetworkMembership> members, long version, String pendingIntent) {

    public enum NetworkState { CREATING, READY, REMOVING }

    /** The networks every engine has from the start; they cannot be removed. */
    public static final java.util.Set<String> PREDEFINED = java.util.Set.of("bridge", "host", "none");

    public NetworkView {
        labels = Map.copyOf(labels);
        options = Map.copyOf(options);
        endpoints = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(endpoints));
        joined = java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(joined)); // sorted: replay and live print alike
        members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    public boolean predefined() {
        return PREDEFINED.contains(name);
    }

    public boolean hasAddresses() {
        return !subnet.isEmpty();
    }

    NetworkView with(NetworkState nextState, long nextVersion, String intent) {
        return new NetworkView(id, name, driver, subnet, gateway, ipRange, internal, labels, options, created, nextState,
                endpoints, joined, members, nextVersion, intent);
    }

    NetworkView withEndpoint(String containerId, NetworkEndpoint endpoint, boolean isJoined, long nextVersion) {
        Map<String, NetworkEndpoint> e = new LinkedHashMap<>(endpoints);
        e.put(containerId, endpoint);
        java.util.Set<String> j = new java.util.HashSet<>(joined);
        if (isJoined) {
            j.add(containerId);
        } else {
            j.remove(containerId);
        }
        return new NetworkView(id, name, driver, subnet, gateway, ipRange, internal, labels, options, created, state, e, j,
                members, nextVersion, pendingIntent);
    }

    NetworkView withoutEndpoint(String containerId, long nextVersion) {
        Map<String, NetworkEndpoint> e = new LinkedHashMap<>(endpoints);
        e.remove(containerId);
        java.util.Set<String> j = new java.util.HashSet<>(joined);
        j.remove(containerId);
        return new NetworkView(id, name, driver, subnet, gateway, ipRange, internal, labels, options, created, state, e, j,
                members, nextVersion, pendingIntent);
    }

    NetworkView withMember(String containerId, NetworkMembership membership, long nextVersion) {
        Map<String, NetworkMembership> m = new LinkedHashMap<>(members);
        if (membership == null) {
            m.remove(containerId);
        } else {
            m.put(containerId, membership);
        }
        return new NetworkView(id, name, driver, subnet, gateway, ipRange, internal, labels, options, created, state,
                endpoints, joined, m, nextVersion, pendingIntent);
    }
}
