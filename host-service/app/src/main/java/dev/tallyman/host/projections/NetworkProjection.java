package dev.tallyman.host.projections;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.NetworkEvent;
import dev.tallyman.audit.event.NetworkEvent.*;
import dev.tallyman.audit.event.NetworkMembership;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.host.projections.NetworkView.NetworkState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every network that exists, with its endpoints (the address allocations) and its members, folded from network
 * events and from the container events that make or end a membership (create names the container's networks,
 * removal ends them). Not thread-safe on its own: {@link Projections} serializes writers and readers.
 */
public final class NetworkProjection {
    private final Map<String, NetworkView> byId = new LinkedHashMap<>();
    /** Name and driver of every network ever created, kept after removal so old events can still be described. */
    private final Map<String, Identity> identities = new java.util.HashMap<>();

    /** What docker events shows of a network. */
    public record Identity(String name, String driver) {
    }

    void apply(RecordedEvent recorded, NetworkEvent event) {
        String id = event.networkId();
        long version = recorded.version();
        if (event instanceof NetworkCreateRequested e) {
            identities.put(id, new Identity(e.name(), e.driver()));
            byId.put(id, new NetworkView(id, e.name(), e.driver(), e.subnet(), e.gateway(), e.ipRange(), e.internal(),
                    e.labels(), e.options(), recorded.occurredAt(), NetworkState.CREATING, Map.of(), java.util.Set.of(),
                    Map.of(), version, recorded.type()));
            return;
        }
        NetworkView view = byId.get(id);
        if (view == null) {
            return; // an outcome that landed after the network was removed
        }
        if (event instanceof NetworkCreated) {
            put(view.with(NetworkState.READY, version, ""));
        } else if (event instanceof NetworkCreateFailed) {
            byId.remove(id);
        } else if (event instanceof NetworkRemoveRequested) {
            put(view.with(NetworkState.REMOVING, version, recorded.type()));
        } else if (event instanceof NetworkRemoved) {
            byId.remove(id);
        } else if (event instanceof NetworkRemoveFailed) {
            put(view.with(NetworkState.READY, version, ""));
        } else if (event instanceof ContainerConnectRequested e) {
            put(view.withEndpoint(e.containerId(), e.endpoint(), false, version));
        } else if (event instanceof ContainerConnected e) {
            NetworkView joined = view.withEndpoint(e.containerId(), e.endpoint(), true, version);
            if (!joined.members().containsKey(e.containerId())) {
                // docker network connect of a running container: it joins and becomes a member at once.
                joined = joined.withMember(e.containerId(), new NetworkMembership(id, view.name(),
                        e.endpoint().aliases(), ""), version);
            }
            put(joined);
        } else if (event instanceof ContainerConnectFailed e) {
            put(view.withoutEndpoint(e.containerId(), version));
        } else if (event instanceof ContainerDisconnectRequested || event instanceof ContainerDisconnectFailed) {
            put(view.with(view.state(), version, view.pendingIntent()));
        } else if (event instanceof ContainerDisconnected e) {
            NetworkView left = view.withoutEndpoint(e.containerId(), version);
            put(e.keepMember() ? left : left.withMember(e.containerId(), null, version));
        } else if (event instanceof NetworkMemberAdded e) {
            put(view.withMember(e.containerId(), e.membership(), version));
        } else if (event instanceof NetworkMemberRemoved e) {
            put(view.withMember(e.containerId(), null, version));
        } else {
            throw new IllegalStateException("no projection case for " + event.getClass().getSimpleName());
        }
    }

    /** Container events that start or end a membership. */
    void apply(RecordedEvent recorded, ContainerEvent event) {
        if (event instanceof ContainerEvent.ContainerCreateRequested e) {
            List<NetworkMembership> networks = e.spec().normalized().networks();
            for (NetworkMembership m : networks) {
                NetworkView view = byId.get(m.networkId());
                if (view != null) {
                    put(view.withMember(e.containerId(), m, view.version()));
                }
            }
        } else if (event instanceof ContainerEvent.ContainerRemoved || event instanceof ContainerEvent.ContainerCreateFailed) {
            for (NetworkView view : List.copyOf(byId.values())) {
                if (view.members().containsKey(event.containerId())) {
                    put(view.withMember(event.containerId(), null, view.version()));
                }
            }
        }
    }

    private void put(NetworkView view) {
        byId.put(view.id(), view);
    }

    public Optional<NetworkView> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Optional<NetworkView> byName(String name) {
        return byId.values().stream().filter(v -> v.name().equals(name)).findFirst();
    }

    public Optional<Identity> identity(String id) {
        return Optional.ofNullable(identities.get(id));
    }

    public Collection<NetworkView> all() {
        return List.copyOf(byId.values());
    }

    /** A value copy, for comparing a live projection with one rebuilt from the store. */
    public Map<String, NetworkView> snapshot() {
        return Map.copyOf(byId);
    }

    /**
     * Finds a network as Docker does: full id, then exact name, then unique id prefix. Several networks
     * sharing the prefix is an error of its own.
     */
    public Optional<NetworkView> find(String reference) {
        if (reference == null || reference.isEmpty()) {
            return Optional.empty();
        }
        NetworkView exact = byId.get(reference);
        if (exact != null) {
            return Optional.of(exact);
        }
        Optional<NetworkView> named = byName(reference);
        if (named.isPresent()) {
            return named;
        }
        List<NetworkView> prefixed = byId.values().stream().filter(v -> v.id().startsWith(reference)).toList();
        if (prefixed.size() > 1) {
            throw new AmbiguousReferenceException(reference);
        }
        return prefixed.stream().findFirst();
    }

    /** The networks a container belongs to, in the order it joined them. */
    public List<NetworkView> networksOf(String containerId) {
        List<NetworkView> found = new ArrayList<>();
        for (NetworkView v : byId.values()) {
            if (v.members().containsKey(containerId) || v.endpoints().containsKey(containerId)) {
                found.add(v);
            }
        }
        return found;
    }

    /** Every published host port of every endpoint, for the conflict check and the choice of a free port. */
    public List<PublishedPort> publishedPorts() {
        List<PublishedPort> ports = new ArrayList<>();
        for (NetworkView v : byId.values()) {
            v.endpoints().values().forEach(e -> ports.addAll(e.ports()));
        }
        return ports;
    }

    /** Owner (container id) of a published port, if any endpoint holds it. */
    public Optional<String> holderOf(String protocol, String hostIp, int hostPort) {
        for (NetworkView v : byId.values()) {
            for (Map.Entry<String, NetworkEndpoint> e : v.endpoints().entrySet()) {
                for (PublishedPort p : e.getValue().ports()) {
                    boolean sameIp = p.hostIp().isEmpty() || hostIp.isEmpty() || p.hostIp().equals(hostIp);
                    if (p.protocol().equals(protocol) && p.hostPort() == hostPort && sameIp) {
                        return Optional.of(e.getKey());
                    }
                }
            }
        }
        return Optional.empty();
    }
}
