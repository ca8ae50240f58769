package dev.tallyman.audit.event;

import java.util.List;
import java.util.Map;

/**
 * Everything that happens to one network, in stream {@code network-<id>}: the network's own life, and each
 * container's endpoint on it. An endpoint's address, MAC and published host ports are chosen before the
 * kernel is touched and written into the connect intent, so the allocation is a fact on the record that a
 * restart (or a SIGKILL) cannot lose: a later allocation sees it taken until a disconnect or a failed connect
 * releases it.
 */
public sealed interface NetworkEvent extends Event {

    String networkId();

    /**
     * docker network create, or a predefined network recorded at first boot.
     *
     * @param driver the driver's name ({@code bridge}, {@code host}, {@code null})
     * @param subnet CIDR, "" for networks without addresses
     * @param gateway the gateway address, "" without addresses
     * @param ipRange CIDR that dynamic addresses come from, "" for the whole subnet
     * @param options driver options in Docker's key names
     */
    @EventType("network.create-requested")
    record NetworkCreateRequested(String networkId, String name, String driver, String subnet, String gateway,
                                  String ipRange, boolean internal, Map<String, String> labels,
                                  Map<String, String> options) implements NetworkEvent, Intent {
        public NetworkCreateRequested {
            labels = Map.copyOf(labels);
            options = Map.copyOf(options);
        }

        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(NetworkCreated.class, NetworkCreateFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new NetworkCreateFailed(networkId, reason);
        }
    }

    /** The driver made the network's kernel objects. */
    @EventType("network.created")
    record NetworkCreated(String networkId) implements NetworkEvent {
    }

    @EventType("network.create-failed")
    record NetworkCreateFailed(String networkId, String reason) implements NetworkEvent {
    }

    @EventType("network.remove-requested")
    record NetworkRemoveRequested(String networkId) implements NetworkEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(NetworkRemoved.class, NetworkRemoveFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new NetworkRemoveFailed(networkId, reason);
        }
    }

    @EventType("network.removed")
    record NetworkRemoved(String networkId) implements NetworkEvent {
    }

    @EventType("network.remove-failed")
    record NetworkRemoveFailed(String networkId, String reason) implements NetworkEvent {
    }

    /**
     * A container is to join the network with this endpoint (its address, MAC and host ports already allocated).
     * Recorded before the driver runs; the allocation holds until the outcome releases it or a disconnect does.
     */
    @EventType("network.connect-requested")
    record ContainerConnectRequested(String networkId, String containerId, NetworkEndpoint endpoint)
            implements NetworkEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerConnected.class, ContainerConnectFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerConnectFailed(networkId, containerId, reason);
        }
    }

    /** The endpoint is in place: interface in the container's namespace, ports forwarded. */
    @EventType("network.connected")
    record ContainerConnected(String networkId, String containerId, NetworkEndpoint endpoint) implements NetworkEvent {
    }

    /** The join failed and left nothing behind; the allocation is released. */
    @EventType("network.connect-failed")
    record ContainerConnectFailed(String networkId, String containerId, String reason) implements NetworkEvent {
    }

    /**
     * The endpoint is to go: the container stopped, or a user disconnected it.
     *
     * @param keepMember true when the container stays a member of the network (it stopped and joins again at its
     *                   next start); false for docker network disconnect
     */
    @EventType("network.disconnect-requested")
    record ContainerDisconnectRequested(String networkId, String containerId, boolean keepMember, boolean force)
            implements NetworkEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerDisconnected.class, ContainerDisconnectFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerDisconnectFailed(networkId, containerId, reason);
        }
    }

    /** The endpoint is gone from the kernel; its address and host ports are free again. */
    @EventType("network.disconnected")
    record ContainerDisconnected(String networkId, String containerId, boolean keepMember) implements NetworkEvent {
    }

    @EventType("network.disconnect-failed")
    record ContainerDisconnectFailed(String networkId, String containerId, String reason) implements NetworkEvent {
    }

    /**
     * docker network connect of a container that is not running: it becomes a member and joins at its next
     * start. Nothing in the kernel changes, so there is no intent.
     */
    @EventType("network.member-added")
    record NetworkMemberAdded(String networkId, String containerId, NetworkMembership membership) implements NetworkEvent {
    }

    /** docker network disconnect of a container that is not running. */
    @EventType("network.member-removed")
    record NetworkMemberRemoved(String networkId, String containerId) implements NetworkEvent {
    }

    /**
     * One container's place on one network, with everything allocated for it.
     *
     * @param endpointId Docker's EndpointID (64 hex)
     * @param interfaceName eth0, eth1… in connect order; "" on networks without interfaces (host, none)
     * @param ipv4Address the address without prefix, "" when none
     * @param prefixLength the subnet's prefix length, 0 without address
     * @param macAddress 02:42:… from the address, "" when none
     * @param aliases network aliases (--network-alias, connect --alias)
     * @param ports published ports with concrete host ports
     */
    record NetworkEndpoint(String endpointId, String interfaceName, String ipv4Address, int prefixLength,
                           String macAddress, List<String> aliases, List<PublishedPort> ports) {
        public NetworkEndpoint {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            ports = ports == null ? List.of() : List.copyOf(ports);
        }
    }

    /**
     * One published port.
     *
     * @param protocol tcp or udp
     * @param hostIp "" for every address (Docker shows 0.0.0.0)
     */
    record PublishedPort(String protocol, String hostIp, int hostPort, int containerPort) {
    }
}
