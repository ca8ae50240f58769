package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.NetworkMembership;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.host.projections.Projections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What docker create's network options resolve to: the stored network mode, the networks the container
 * belongs to (the mode's first, then any more from NetworkingConfig), and the hostname the mode implies.
 *
 * @param mode "bridge", "host", "none", a user network's name, or "container:<full id>"
 * @param hostname the host's hostname for --network host, which Docker gives such a container
 */
public record ContainerNetworkChoice(String mode, List<NetworkMembership> memberships, Optional<String> hostname) {

    public ContainerNetworkChoice {
        memberships = List.copyOf(memberships);
    }

    /** Without recorded networks (no bridge driver): the mode alone, as before networks existed. */
    static ContainerNetworkChoice legacy(String mode) {
        return new ContainerNetworkChoice(mode, List.of(), Optional.empty());
    }

    /** The image's EXPOSE, the request's ExposedPorts and every bound port, as "80/tcp", sorted as Docker lists them. */
    List<String> exposedPorts(Set<String> image, CreateContainer command) {
        Set<String> ports = new java.util.TreeSet<>();
        image.forEach(p -> ports.add(p.contains("/") ? p : p + "/tcp"));
        command.exposedPorts().forEach(p -> ports.add(p.contains("/") ? p : p + "/tcp"));
        command.portBindings().forEach(b -> ports.add(b.containerPort() + "/" + b.protocol()));
        return List.copyOf(ports);
    }

    /** Resolves the network options of create against the projection. */
    public static final class Chooser {
        private final Projections projections;
        private final String hostHostname;

        public Chooser(Projections projections, String hostHostname) {
            this.projections = projections;
            this.hostHostname = hostHostname;
        }

        ContainerNetworkChoice choose(CreateContainer command) {
            String requested = command.networkMode() == null ? "" : command.networkMode();
            String mode = requested.isEmpty() || requested.equals("default") ? "bridge" : requested;
            if (mode.startsWith("container:")) {
                String reference = mode.substring("container:".length());
                if (!command.portBindings().isEmpty() || command.publishAllPorts()) {
                    throw EngineException.invalid("conflicting options: port publishing and the container type network mode");
                }
                if (command.hostname() != null && !command.hostname().isEmpty()) {
                    throw EngineException.invalid("conflicting options: hostname and the network mode");
                }
                ContainerView target = projections.read(p -> p.containers().find(reference))
                        .orElseThrow(() -> EngineException.invalid("No such container: " + reference));
                return new ContainerNetworkChoice("container:" + target.id(), List.of(), Optional.empty());
            }
            NetworkView network = projections.read(p -> p.networks().find(mode))
                    .orElseThrow(() -> EngineException.invalid("network " + mode + " not found"));
            Map<String, CreateContainer.EndpointRequest> endpoints = new LinkedHashMap<>(command.endpoints());
            CreateContainer.EndpointRequest first = endpoints.remove(mode);
            if (first == null) {
                first = endpoints.remove(requested); // the CLI keys the mode's endpoint "default" when none was named
            }
            if (first == null) {
                first = endpoints.remove(network.name());
            }
            if (first == null) {
                first = endpoints.remove(network.id());
            }
            List<NetworkMembership> memberships = new ArrayList<>();
            memberships.add(membership(network, first));
            Set<String> seen = new LinkedHashSet<>(List.of(network.id()));
            if (!network.hasAddresses() && !endpoints.isEmpty()) {
                throw EngineException.invalid("container cannot be disconnected from host network or connected to host network");
            }
            for (Map.Entry<String, CreateContainer.EndpointRequest> e : endpoints.entrySet()) {
                NetworkView more = projections.read(p -> p.networks().find(e.getKey()))
                        .orElseThrow(() -> EngineException.invalid("network " + e.getKey() + " not found"));
                if (seen.add(more.id())) {
                    memberships.add(membership(more, e.getValue()));
                }
            }
            Optional<String> hostname = network.driver().equals("host") ? Optional.of(hostHostname) : Optional.empty();
            if (network.driver().equals("host") && command.hostname() != null && !command.hostname().isEmpty()) {
                hostname = Optional.empty(); // Docker lets -h win; the UTS namespace is still the container's own
            }
            return new ContainerNetworkChoice(network.name(), memberships, hostname);
        }

        private static NetworkMembership membership(NetworkView network, CreateContainer.EndpointRequest request) {
            CreateContainer.EndpointRequest r = request == null ? new CreateContainer.EndpointRequest(List.of(), "") : request;
            if (network.predefined() && !r.ipv4Address().isEmpty()) {
                throw EngineException.invalid("user specified IP address is supported on user defined networks only");
            }
            if (network.predefined() && !r.aliases().isEmpty()) {
                throw EngineException.invalid("network-scoped alias is supported only for containers in user defined networks");
            }
            return new NetworkMembership(network.id(), network.name(), r.aliases(), r.ipv4Address());
        }
    }
}
