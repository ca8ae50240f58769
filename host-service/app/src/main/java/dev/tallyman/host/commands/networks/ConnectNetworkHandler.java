package dev.tallyman.host.commands.networks;

import dev.tallyman.audit.event.NetworkEvent.NetworkMemberAdded;
import dev.tallyman.audit.event.NetworkEvent.NetworkMemberRemoved;
import dev.tallyman.audit.event.NetworkMembership;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.NetworkView;
import java.util.List;

/**
 * docker network connect and disconnect. A running container joins or leaves at once (an interface appears or
 * goes in its namespace); a stopped one only gains or loses the membership, and joins at its next start.
 */
public final class ConnectNetworkHandler {
    private final Journal journal;
    private final NetworkFinder networks;
    private final ContainerFinder containers;
    private final ContainerNetworking networking;

    public ConnectNetworkHandler(Journal journal, NetworkFinder networks, ContainerFinder containers,
                                 ContainerNetworking networking) {
        this.journal = journal;
        this.networks = networks;
        this.containers = containers;
        this.networking = networking;
    }

    public void connect(String networkRef, String containerRef, List<String> aliases, String ipv4Address,
                        CommandContext context) {
        NetworkView network = networks.require(networkRef);
        ContainerView container = containers.require(containerRef);
        String mode = container.spec().networkMode();
        if (mode.equals("host") || mode.equals("none") || mode.startsWith("container:")) {
            throw EngineException.invalid("container cannot be disconnected from host network or connected to host network");
        }
        if (network.predefined() && !network.name().equals("bridge")) {
            throw EngineException.invalid("container cannot be disconnected from host network or connected to host network");
        }
        if (network.predefined() && ((ipv4Address != null && !ipv4Address.isEmpty()) || (aliases != null && !aliases.isEmpty()))) {
            throw EngineException.invalid("network-scoped alias is supported only for containers in user defined networks");
        }
        NetworkMembership member = new NetworkMembership(network.id(), network.name(), aliases, ipv4Address);
        if (container.isRunning()) {
            if (network.endpoints().containsKey(container.id())) {
                throw EngineException.forbidden("endpoint with name " + container.name() + " already exists in network "
                        + network.name());
            }
            networking.joinRunning(container, network, member, context);
            return;
        }
        journal.atomically(() -> {
            NetworkView fresh = networks.require(network.id());
            if (fresh.members().containsKey(container.id())) {
                throw EngineException.forbidden("endpoint with name " + container.name() + " already exists in network "
                        + network.name());
            }
            journal.append(StreamId.network(network.id()), ExpectedVersion.exactly(fresh.version()),
                    new NetworkMemberAdded(network.id(), container.id(), member), context);
            return null;
        });
    }

    public void disconnect(String networkRef, String containerRef, boolean force, CommandContext context) {
        NetworkView network = networks.require(networkRef);
        ContainerView container = containers.require(containerRef);
        if (network.name().equals("host") || network.name().equals("none")) {
            throw EngineException.invalid("container cannot be disconnected from host network or connected to host network");
        }
        boolean member = network.members().containsKey(container.id()) || network.endpoints().containsKey(container.id());
        if (!member) {
            throw EngineException.forbidden("container " + container.id() + " is not connected to network " + network.name());
        }
        if (network.endpoints().containsKey(container.id())) {
            networking.leave(network, container.id(), false, force, context);
            return;
        }
        journal.append(StreamId.network(network.id()), ExpectedVersion.any(),
                new NetworkMemberRemoved(network.id(), container.id()), context);
    }
}
