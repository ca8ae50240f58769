package dev.tallyman.host.commands.networks;

import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.event.NetworkEvent.ContainerConnectFailed;
import dev.tallyman.audit.event.NetworkEvent.ContainerConnectRequested;
import dev.tallyman.audit.event.NetworkEvent.ContainerConnected;
import dev.tallyman.audit.event.NetworkEvent.ContainerDisconnectFailed;
import dev.tallyman.audit.event.NetworkEvent.ContainerDisconnectRequested;
import dev.tallyman.audit.event.NetworkEvent.ContainerDisconnected;
import dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint;
import dev.tallyman.audit.event.NetworkEvent.PublishedPort;
import dev.tallyman.audit.event.NetworkMembership;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.host.runtime.NetworkSetup;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.linux.NetworkNamespaces;
import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.Ipv4Subnet;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.PortMapping;
import dev.tallyman.spi.network.PortPublishing;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * A container's place on its networks, start to stop. At start: the addresses, MACs and host ports are chosen
 * and recorded under the journal's lock (so no two containers get the same), the container's network namespace
 * is made as a file under the exec root, each network's driver joins it (eth0, eth1… in membership order) and
 * the first addressed network publishes the ports; then the outcome is recorded. At teardown the same in
 * reverse, each endpoint's end recorded, so its allocations are free again.
 */
public final class ContainerNetworking {
    private static final Logger LOG = Logger.getLogger(ContainerNetworking.class);

    private final Journal journal;
    private final NetworkDrivers drivers;
    private final Path namespaces;
    private final HostFiles hostFiles;

    public ContainerNetworking(Journal journal, NetworkDrivers drivers, Path execRoot, HostFiles hostFiles) {
        this.journal = journal;
        this.drivers = drivers;
        this.namespaces = execRoot.resolve("netns");
        this.hostFiles = hostFiles;
    }

    /** The host's files a container's name resolution starts from. */
    public record HostFiles(Path resolvConf, String hostname) {
    }

    /** Where the container's network namespace is kept while it runs. */
    public Path namespaceOf(String containerId) {
        return namespaces.resolve(containerId);
    }

    /** One network to join, with everything chosen for it. */
    private record Planned(NetworkView network, NetworkEndpoint endpoint) {
    }

    /** Joins the container to its networks for a start; a failure leaves nothing behind and is on the record. */
    public NetworkSetup attach(ContainerView container, CommandContext context) {
        ContainerSpec spec = container.spec();
        String mode = spec.networkMode();
        if (mode.startsWith("container:")) {
            return joinContainer(mode.substring("container:".length()));
        }
        List<Planned> plan = journal.atomically(() -> {
            List<Planned> planned = plan(container);
            for (Planned p : planned) {
                journal.append(StreamId.network(p.network().id()), ExpectedVersion.any(),
                        new ContainerConnectRequested(p.network().id(), container.id(), p.endpoint()), context);
            }
            return planned;
        });
        if (plan.stream().anyMatch(p -> p.network().driver().equals("host"))) {
            connectedAll(container.id(), plan, context);
            return new NetworkSetup(Attachment.host(), Optional.empty(), Optional.of(hostFiles.hostname()));
        }
        Path namespace = namespaceOf(container.id());
        List<Planned> joined = new ArrayList<>();
        List<Attachment> attachments = new ArrayList<>();
        try {
            Files.createDirectories(namespaces);
            NetworkNamespaces.create(namespace);
            for (Planned p : plan) {
                NetworkDriver driver = drivers.require(p.network().driver());
                Endpoint endpoint = endpointOf(container.id(), namespace, p.endpoint());
                attachments.add(driver.join(NetworkDrivers.specOf(p.network()), endpoint));
                joined.add(p);
                if (!endpoint.ports().isEmpty() && driver instanceof PortPublishing publishing) {
                    publishing.publish(NetworkDrivers.specOf(p.network()), endpoint);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Planned p : joined) {
                quietly("leave network " + p.network().name() + " " + container.id(), () -> drivers.require(p.network().driver())
                        .leave(NetworkDrivers.specOf(p.network()), endpointOf(container.id(), namespace, p.endpoint())));
            }
            quietly("remove network namespace " + namespace, () -> NetworkNamespaces.remove(namespace));
            String message = failureMessage(container, plan, e);
            for (Planned p : plan) {
                journal.append(StreamId.network(p.network().id()), ExpectedVersion.any(),
                        new ContainerConnectFailed(p.network().id(), container.id(), message), context);
            }
            throw EngineException.system(message, e);
        }
        connectedAll(container.id(), plan, context);
        return setupOf(namespace, plan, attachments);
    }

    private void connectedAll(String containerId, List<Planned> plan, CommandContext context) {
        for (Planned p : plan) {
            journal.append(StreamId.network(p.network().id()), ExpectedVersion.any(),
                    new ContainerConnected(p.network().id(), containerId, p.endpoint()), context);
        }
    }

    private NetworkSetup setupOf(Path namespace, List<Planned> plan, List<Attachment> attachments) {
        List<String> addresses = new ArrayList<>();
        Optional<String> gateway = Optional.empty();
        Optional<String> mac = Optional.empty();
        for (int i = 0; i < plan.size(); i++) {
            NetworkEndpoint e = plan.get(i).endpoint();
            if (!e.ipv4Address().isEmpty()) {
                addresses.add(e.ipv4Address() + "/" + e.prefixLength());
                if (gateway.isEmpty() && !plan.get(i).network().internal()) {
                    gateway = Optional.of(plan.get(i).network().gateway());
                }
                if (mac.isEmpty()) {
                    mac = Optional.of(e.macAddress());
                }
            }
        }
        Attachment attachment = new Attachment(Attachment.Mode.PATH, Optional.of(namespace), addresses, gateway, mac);
        Optional<String> resolvConf = Optional.empty();
        if (!plan.isEmpty() && plan.get(0).network().hasAddresses() && !plan.get(0).network().predefined()) {
            resolvConf = Optional.of(embeddedResolvConf(plan.get(0).network().gateway()));
        }
        return new NetworkSetup(attachment, resolvConf, Optional.empty());
    }

    /**
     * On a user network the container asks the network's embedded DNS, which answers on the gateway; search and
     * options lines of the host's file are kept, as Docker keeps them.
     */
    private String embeddedResolvConf(String gateway) {
        StringBuilder text = new StringBuilder("nameserver ").append(gateway).append('\n');
        try {
            if (Files.isRegularFile(hostFiles.resolvConf())) {
                for (String line : Files.readAllLines(hostFiles.resolvConf())) {
                    String t = line.trim();
                    if (t.startsWith("search ") || t.startsWith("options ")) {
                        text.append(t).append('\n');
                    }
                }
            }
        } catch (IOException e) {
            LOG.warnf("read %s: %s", hostFiles.resolvConf(), e.getMessage());
        }
        return text.toString();
    }

    /** {@code --network container:<x>}: the other container's namespace, which must be running. */
    private NetworkSetup joinContainer(String reference) {
        ContainerView target = journal.projections().read(p -> p.containers().find(reference))
                .orElseThrow(() -> EngineException.noSuchContainer(reference));
        if (!target.isRunning()) {
            throw EngineException.conflict("cannot join network namespace of a non running container: " + target.id());
        }
        if (target.spec().networkMode().equals("host")) {
            return NetworkSetup.of(Attachment.host());
        }
        if (target.spec().networkMode().startsWith("container:")) {
            return joinContainer(target.spec().networkMode().substring("container:".length()));
        }
        Path file = namespaceOf(target.id());
        Path namespace = Files.exists(file) ? file : Path.of("/proc", Long.toString(target.pid()), "ns", "net");
        List<String> addresses = journal.projections().read(p -> p.networks().networksOf(target.id()).stream()
                .map(n -> n.endpoints().get(target.id())).filter(e -> e != null && !e.ipv4Address().isEmpty())
                .map(e -> e.ipv4Address() + "/" + e.prefixLength()).toList());
        return NetworkSetup.of(new Attachment(Attachment.Mode.PATH, Optional.of(namespace), addresses,
                Optional.empty(), Optional.empty()));
    }

    /**
     * Chooses every endpoint of the container, under the journal's lock. Ports are published on the first
     * addressed network; on host and none they are discarded, as Docker does.
     */
    private List<Planned> plan(ContainerView container) {
        ContainerSpec spec = container.spec();
        List<NetworkView> networks = membershipsOf(container);
        List<Planned> planned = new ArrayList<>();
        Set<String> chosenPorts = new HashSet<>();
        boolean portsPlaced = false;
        int interfaces = 0;
        for (NetworkView network : networks) {
            NetworkMembership member = network.members().getOrDefault(container.id(),
                    new NetworkMembership(network.id(), network.name(), List.of(), ""));
            String endpointId = NetworkIds.endpointId(network.id(), container.id());
            if (!network.hasAddresses()) {
                planned.add(new Planned(network, new NetworkEndpoint(endpointId, "", "", 0, "", member.aliases(), List.of())));
                continue;
            }
            Inet4Address address = address(network, member, Set.of());
            List<PublishedPort> ports = List.of();
            if (!portsPlaced) {
                ports = ports(spec, container, endpointId, chosenPorts);
                portsPlaced = true;
            }
            Ipv4Subnet subnet = Ipv4Subnet.parse(network.subnet());
            planned.add(new Planned(network, new NetworkEndpoint(endpointId, "eth" + interfaces++,
                    address.getHostAddress(), subnet.prefixLength(), AddressAllocator.macOf(address),
                    aliasesOf(container, network, member), ports)));
        }
        return planned;
    }

    /** The container's networks in the order it joined them: those it was created on first. */
    private List<NetworkView> membershipsOf(ContainerView container) {
        List<NetworkView> all = journal.projections().read(p -> p.networks().networksOf(container.id()));
        Map<String, NetworkView> byId = new LinkedHashMap<>();
        for (NetworkMembership m : container.spec().networks()) {
            all.stream().filter(n -> n.id().equals(m.networkId())).findFirst().ifPresent(n -> byId.put(n.id(), n));
        }
        all.forEach(n -> byId.putIfAbsent(n.id(), n));
        if (byId.isEmpty() && container.spec().networks().isEmpty()) {
            // A container from before networks were recorded: its mode names a predefined network.
            String mode = container.spec().networkMode();
            journal.projections().read(p -> p.networks().byName(mode.equals("default") ? "bridge" : mode))
                    .ifPresent(n -> byId.put(n.id(), n));
        }
        for (NetworkMembership m : container.spec().networks()) {
            if (!byId.containsKey(m.networkId()) && journal.projections().read(p -> p.networks().byId(m.networkId())).isEmpty()
                    && all.isEmpty()) {
                throw EngineException.notFound("network " + m.networkName() + " not found");
            }
        }
        return List.copyOf(byId.values());
    }

    /** Docker adds the short id as an alias on user networks, so other containers find it by that too. */
    private static List<String> aliasesOf(ContainerView container, NetworkView network, NetworkMembership member) {
        List<String> aliases = new ArrayList<>(member.aliases());
        if (!network.predefined() && !aliases.contains(container.id().substring(0, 12))) {
            aliases.add(container.id().substring(0, 12));
        }
        return aliases;
    }

    /** The requested address (checked) or the lowest free one. */
    Inet4Address address(NetworkView network, NetworkMembership member, Set<Integer> alsoTaken) {
        Ipv4Subnet subnet = Ipv4Subnet.parse(network.subnet());
        Inet4Address gateway = Ipv4Subnet.parseAddress(network.gateway());
        Set<Integer> taken = new HashSet<>(alsoTaken);
        network.endpoints().values().stream().filter(e -> !e.ipv4Address().isEmpty())
                .forEach(e -> taken.add(Ipv4Subnet.toInt(Ipv4Subnet.parseAddress(e.ipv4Address()))));
        if (!member.ipv4Address().isEmpty()) {
            Inet4Address wanted;
            try {
                wanted = Ipv4Subnet.parseAddress(member.ipv4Address());
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid("invalid IPv4 address: " + member.ipv4Address());
            }
            if (!AddressAllocator.usable(subnet, gateway, wanted)) {
                throw EngineException.invalid("no configured subnet or ip-range contain the IP address "
                        + member.ipv4Address());
            }
            if (taken.contains(Ipv4Subnet.toInt(wanted))) {
                throw EngineException.system("Address already in use", null);
            }
            return wanted;
        }
        Optional<Ipv4Subnet> range = network.ipRange().isEmpty() ? Optional.empty() : Optional.of(Ipv4Subnet.parse(network.ipRange()));
        return AddressAllocator.next(subnet, range, gateway, taken).orElseThrow(() -> EngineException.system(
                "no available IPv4 addresses on this network's address pools: " + network.name() + " (" + network.id() + ")", null));
    }

    /** -p and -P with concrete host ports; a port another endpoint holds is refused with Docker's words. */
    private List<PublishedPort> ports(ContainerSpec spec, ContainerView container, String endpointId,
                                      Set<String> chosen) {
        Map<String, PublishedPort> wanted = new LinkedHashMap<>();
        for (PublishedPort p : spec.portBindings()) {
            wanted.put(p.protocol() + "/" + p.containerPort() + "/" + p.hostIp() + "/" + p.hostPort(), p);
        }
        if (spec.publishAllPorts()) {
            for (String exposed : spec.exposedPorts()) {
                int slash = exposed.indexOf('/');
                int port = Integer.parseInt(slash < 0 ? exposed : exposed.substring(0, slash));
                String protocol = slash < 0 ? "tcp" : exposed.substring(slash + 1);
                boolean bound = spec.portBindings().stream().anyMatch(b -> b.containerPort() == port && b.protocol().equals(protocol));
                if (!bound) {
                    wanted.put(protocol + "/" + port + "//0", new PublishedPort(protocol, "", 0, port));
                }
            }
        }
        List<PublishedPort> ports = new ArrayList<>();
        for (PublishedPort p : wanted.values()) {
            int hostPort = p.hostPort();
            if (hostPort == 0) {
                hostPort = HostPorts.firstFree(p.protocol(), p.hostIp(), port -> held(p.protocol(), p.hostIp(), port, chosen))
                        .orElseThrow(() -> EngineException.system("no free host port for " + p.containerPort() + "/" + p.protocol(), null));
            } else if (held(p.protocol(), p.hostIp(), hostPort, chosen)) {
                throw EngineException.system("driver failed programming external connectivity on endpoint "
                        + container.name() + " (" + endpointId + "): Bind for "
                        + (p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp()) + ":" + hostPort
                        + " failed: port is already allocated", null);
            }
            chosen.add(p.protocol() + "/" + hostPort + "/" + p.hostIp());
            ports.add(new PublishedPort(p.protocol(), p.hostIp(), hostPort, p.containerPort()));
        }
        return ports;
    }

    private boolean held(String protocol, String hostIp, int port, Set<String> chosen) {
        for (String c : chosen) {
            String[] f = c.split("/", -1);
            if (f[0].equals(protocol) && Integer.parseInt(f[1]) == port && (f[2].isEmpty() || hostIp.isEmpty() || f[2].equals(hostIp))) {
                return true;
            }
        }
        return journal.projections().read(p -> p.networks().holderOf(protocol, hostIp, port)).isPresent();
    }

    private String failureMessage(ContainerView container, List<Planned> plan, Exception e) {
        if (e instanceof DriverException d && d.kind() == DriverException.Kind.IN_USE && !plan.isEmpty()) {
            String prefix = d.driver() + ": " + d.operation() + " " + d.objectId() + ": ";
            String cause = d.getMessage().startsWith(prefix) ? d.getMessage().substring(prefix.length()) : d.getMessage();
            return "driver failed programming external connectivity on endpoint " + container.name() + " ("
                    + plan.get(0).endpoint().endpointId() + "): " + cause;
        }
        return "failed to set up container networking: " + e.getMessage();
    }

    static Endpoint endpointOf(String containerId, Path namespace, NetworkEndpoint e) {
        List<PortMapping> ports = e.ports().stream().map(p -> new PortMapping(
                p.protocol().equals("udp") ? PortMapping.Protocol.UDP : PortMapping.Protocol.TCP,
                p.hostIp(), p.hostPort(), p.containerPort())).toList();
        return new Endpoint(containerId, Optional.of(namespace), e.interfaceName().isEmpty() ? "eth0" : e.interfaceName(),
                e.ipv4Address().isEmpty() ? Optional.empty() : Optional.of(Ipv4Subnet.parseAddress(e.ipv4Address())),
                e.macAddress().isEmpty() ? Optional.empty() : Optional.of(e.macAddress()), ports);
    }

    /**
     * Takes every endpoint of the container apart and records each end (the container stopped; it stays a
     * member), then removes its namespace. Safe to repeat: a container with no endpoint changes nothing.
     */
    public void detachAll(String containerId, CommandContext context) {
        List<NetworkView> networks = journal.projections().read(p -> p.networks().all().stream()
                .filter(n -> n.endpoints().containsKey(containerId)).toList());
        for (NetworkView network : networks) {
            leave(network, containerId, true, false, context);
        }
        Path namespace = namespaceOf(containerId);
        if (Files.exists(namespace)) {
            quietly("remove network namespace " + namespace, () -> NetworkNamespaces.remove(namespace));
        }
    }

    /** Removes one endpoint from the kernel and records it; the failure is recorded and thrown. */
    void leave(NetworkView network, String containerId, boolean keepMember, boolean force, CommandContext context) {
        NetworkEndpoint endpoint = network.endpoints().get(containerId);
        journal.append(StreamId.network(network.id()), ExpectedVersion.any(),
                new ContainerDisconnectRequested(network.id(), containerId, keepMember, force), context);
        try {
            Optional<NetworkDriver> driver = drivers.find(network.driver());
            if (driver.isPresent() && endpoint != null) {
                Endpoint e = endpointOf(containerId, namespaceOf(containerId), endpoint);
                if (!e.ports().isEmpty() && driver.get() instanceof PortPublishing publishing) {
                    publishing.unpublish(NetworkDrivers.specOf(network), e);
                }
                driver.get().leave(NetworkDrivers.specOf(network), e);
            }
        } catch (RuntimeException e) {
            journal.append(StreamId.network(network.id()), ExpectedVersion.any(),
                    new ContainerDisconnectFailed(network.id(), containerId, String.valueOf(e.getMessage())), context);
            if (!force) {
                throw EngineException.system("disconnect " + containerId + " from network " + network.name() + ": "
                        + e.getMessage(), e).onRecord();
            }
        }
        journal.append(StreamId.network(network.id()), ExpectedVersion.any(),
                new ContainerDisconnected(network.id(), containerId, keepMember), context);
    }

    /** Joins a running container to one more network (docker network connect). */
    void joinRunning(ContainerView container, NetworkView network, NetworkMembership member, CommandContext context) {
        Planned planned = journal.atomically(() -> {
            NetworkView fresh = journal.projections().read(p -> p.networks().byId(network.id())).orElseThrow();
            if (fresh.endpoints().containsKey(container.id())) {
                throw EngineException.forbidden("endpoint with name " + container.name() + " already exists in network "
                        + network.name());
            }
            String endpointId = NetworkIds.endpointId(network.id(), container.id());
            NetworkEndpoint endpoint;
            if (!fresh.hasAddresses()) {
                endpoint = new NetworkEndpoint(endpointId, "", "", 0, "", member.aliases(), List.of());
            } else {
                Inet4Address address = address(fresh, member, Set.of());
                Set<String> used = new HashSet<>();
                journal.projections().read(p -> p.networks().networksOf(container.id())).forEach(n -> {
                    NetworkEndpoint e = n.endpoints().get(container.id());
                    if (e != null) {
                        used.add(e.interfaceName());
                    }
                });
                int index = 0;
                while (used.contains("eth" + index)) {
                    index++;
                }
                endpoint = new NetworkEndpoint(endpointId, "eth" + index, address.getHostAddress(),
                        Ipv4Subnet.parse(fresh.subnet()).prefixLength(), AddressAllocator.macOf(address),
                        aliasesOf(container, fresh, member), List.of());
            }
            journal.append(StreamId.network(network.id()), ExpectedVersion.any(),
                    new ContainerConnectRequested(network.id(), container.id(), endpoint), context);
            return new Planned(fresh, endpoint);
        });
        try {
            if (network.hasAddresses()) {
                Path namespace = namespaceOf(container.id());
                if (!Files.exists(namespace)) {
                    throw new IllegalStateException("container " + container.id() + " has no network namespace of its own");
                }
                drivers.require(network.driver()).join(NetworkDrivers.specOf(network),
                        endpointOf(container.id(), namespace, planned.endpoint()));
            }
        } catch (RuntimeException e) {
            journal.append(StreamId.network(network.id()), ExpectedVersion.any(),
                    new ContainerConnectFailed(network.id(), container.id(), String.valueOf(e.getMessage())), context);
            throw EngineException.system("connect " + container.name() + " to network " + network.name() + ": "
                    + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.network(network.id()), ExpectedVersion.any(),
                new ContainerConnected(network.id(), container.id(), planned.endpoint()), context);
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warnf("%s: %s", what, e.getMessage());
        }
    }
}
