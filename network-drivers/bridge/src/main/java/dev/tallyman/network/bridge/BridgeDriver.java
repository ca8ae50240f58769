package dev.tallyman.network.bridge;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.linux.Errno;
import dev.tallyman.spi.linux.ErrnoException;
import dev.tallyman.spi.linux.NetDevices;
import dev.tallyman.spi.linux.NftElements;
import dev.tallyman.spi.linux.NetworkNamespaces;
import dev.tallyman.spi.linux.RouteNetlink;
import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.Ipv4Config;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;
import dev.tallyman.spi.network.PortInUseException;
import dev.tallyman.spi.network.PortMapping;
import dev.tallyman.spi.network.PortPublishing;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;

/**
 * Docker's bridge driver on Linux bridges, veth pairs and nftables. Per network: a bridge holding the gateway
 * address, with {@code route_localnet} on; the network's elements in this instance's nft table (see
 * {@link Firewall}). Per endpoint: a veth pair, its host end ({@link KernelNames#hostVeth}) on the bridge, its
 * other end in the endpoint's namespace with the endpoint's name, MAC, address and default route; published
 * ports as elements of the forwarding maps. Kernel objects are found again by name, so the driver keeps no
 * state of its own, and they keep working while the service is away.
 *
 * <p>Joining and leaving fork nothing: the veth pair is made (its peer inside the namespace, the host end on
 * the bridge and up) with one rtnetlink request, the inside is configured with ioctls from a thread in the
 * namespace, and leaving deletes the pair in the background (see {@link #leave}). Publishing and unpublishing
 * send one nf_tables netlink transaction each ({@link NftElements}), no fork either; creating a network runs {@code ip -batch -} and {@code nft -f -}.
 */
public final class BridgeDriver implements NetworkDriver, PortPublishing {
    static final String NAME = "bridge";
    private static final Path SYS_NET = Path.of("/sys/class/net");
    private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

    private final BridgeConfig config;
    private final Firewall firewall;
    private final VethRemover remover;
    /** Endpoints whose ports this instance has just unpublished, so that the leave after it need not again. */
    private final Set<String> unpublished = ConcurrentHashMap.newKeySet();

    public BridgeDriver(BridgeConfig config) {
        this.config = config;
        this.firewall = new Firewall(config.nftTable());
        this.remover = new VethRemover(this::deleteLinks);
    }

    /**
     * Waits until the veths that {@link #leave} handed to the background are gone (tests, and before a
     * network's bridge is removed). Returns at once when none is pending.
     */
    public void awaitRemovals() {
        remover.awaitAll();
    }

    public BridgeConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The name of the bridge this driver makes for {@code network}. */
    public static String bridgeName(NetworkSpec network) {
        return KernelNames.bridge(network);
    }

    /** The name of the host end of the veth pair of the endpoint of {@code containerId} on {@code network}. */
    public static String hostVethName(NetworkSpec network, String containerId) {
        return KernelNames.hostVeth(network.id(), containerId);
    }

    @Override
    public void createNetwork(NetworkSpec network) {
        Ipv4Config ipv4 = addressing(network, "create network");
        String bridge = bridgeOf(network, "create network");
        try {
            String cidr = ipv4.subnet().cidrOf(ipv4.gateway());
            int mtu = mtuOf(network);
            String configure = "addr replace " + cidr + " dev " + bridge + "\n"
                    + "link set " + bridge + (mtu > 0 ? " mtu " + mtu : "") + " up\n";
            // The bridge's MAC is set, never left to the kernel: a bridge whose MAC was not set takes the lowest MAC
            // of its ports, so a container joining with a lower one changed the gateway's MAC under every other
            // container's ARP cache, and their packets to the gateway (DNS among them) went nowhere until the
            // entry expired. A MAC that was set stays put.
            if (!linkExists(bridge)) {
                try {
                    ip("link add name " + bridge + " address " + macOf(ipv4.gateway()) + " type bridge\n" + configure);
                } catch (Tools.ToolFailure e) {
                    if (!linkExists(bridge)) {
                        throw e;
                    }
                    ip(configure); // made by a concurrent create meanwhile
                }
            } else {
                ip(pinMac(bridge) + configure);
            }
            // 127.0.0.1 may leave through the bridge, so that ports published on loopback reach containers.
            Files.writeString(Path.of("/proc/sys/net/ipv4/conf", bridge, "route_localnet"), "1");
            enableForwarding();
            boolean masquerade = !"false".equalsIgnoreCase(network.options().getOrDefault(KernelNames.MASQUERADE_OPTION, "true"));
            nft(firewall.skeleton() + firewall.networkElements("add", bridge, masquerade ? ipv4.subnet() : null,
                    network.internal()));
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, "create network", network.name(), e);
        }
    }

    @Override
    public void removeNetwork(NetworkSpec network) {
        String bridge = bridgeOf(network, "remove network");
        var subnet = network.ipv4().map(Ipv4Config::subnet).orElse(null);
        remover.awaitAll();
        try {
            // Adding before deleting makes the delete safe when the elements are gone already.
            nft(firewall.declarations()
                    + firewall.networkElements("add", bridge, subnet, network.internal())
                    + firewall.networkElements("delete", bridge, subnet, network.internal()));
            if (linkExists(bridge)) {
                deleteLink(bridge);
            }
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, "remove network", network.name(), e);
        }
    }

    @Override
    public Attachment join(NetworkSpec network, Endpoint endpoint) {
        String operation = "join network " + network.name() + " with container";
        Ipv4Config ipv4 = addressing(network, operation);
        String bridge = bridgeOf(network, operation);
        Path namespace = endpoint.namespace().orElseThrow(() -> invalid(operation, endpoint, "the endpoint has no network namespace"));
        Inet4Address address = endpoint.ipv4().orElseThrow(() -> invalid(operation, endpoint, "the endpoint has no IPv4 address"));
        String inner = endpoint.interfaceName();
        if (!KernelNames.isValidInterfaceName(inner)) {
            throw invalid(operation, endpoint, "invalid interface name " + inner);
        }
        if (!ipv4.subnet().contains(address)) {
            throw invalid(operation, endpoint, "address " + address.getHostAddress() + " is outside " + ipv4.subnet());
        }
        String veth = KernelNames.hostVeth(network.id(), endpoint.containerId());
        String cidr = ipv4.subnet().cidrOf(address);
        String mac = endpoint.macAddress().orElseGet(() -> macOf(address));
        boolean made = false;
        try {
            remover.await(veth); // a leave of this same endpoint may still be finishing
            if (!linkExists(bridge)) {
                throw new DriverException(DriverException.Kind.NOT_FOUND, NAME, operation, shortId(endpoint),
                        "bridge " + bridge + " does not exist");
            }
            if (linkExists(veth)) {
                // A repeated join, or a veth left from an earlier namespace of the container: look inside.
                boolean inside = NetworkNamespaces.inside(namespace, () -> NamespaceView.read(inner)).hasInterface();
                if (inside) {
                    ip("link set " + veth + " master " + bridge + " up\n");
                } else {
                    RouteNetlink.deleteLink(veth);
                }
            }
            if (!linkExists(veth)) {
                made = true;
                RouteNetlink.addVeth(veth, bridge, inner, mac, namespace, mtuOf(network));
            }
            boolean internal = network.internal();
            int prefix = ipv4.subnet().prefixLength();
            NetworkNamespaces.inside(namespace, () -> {
                NetDevices.up("lo");
                NetDevices.setAddress(inner, address, prefix);
                NetDevices.up(inner);
                if (!internal && !NamespaceView.read(inner).hasDefaultRoute()) {
                    NetDevices.addDefaultRoute(ipv4.gateway());
                }
                return null;
            });
            Optional<String> gateway = network.internal() ? Optional.empty() : Optional.of(ipv4.gateway().getHostAddress());
            return new Attachment(Attachment.Mode.PATH, Optional.of(namespace), List.of(cidr), gateway,
                    Optional.of(mac));
        } catch (IOException | RuntimeException e) {
            if (made) {
                try {
                    if (linkExists(veth)) {
                        deleteLink(veth);
                    }
                } catch (IOException undo) {
                    e.addSuppressed(undo);
                }
            }
            if (e instanceof DriverException d) {
                throw d;
            }
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, operation, shortId(endpoint), e);
        }
    }

    /**
     * Removes the endpoint's port forwarding at once, and its veth pair in the background: the kernel takes
     * tens of milliseconds to delete a veth (it waits for RCU grace periods), time a {@code docker run --rm}
     * would otherwise wait for. A later {@link #join} of the same endpoint, and {@link #removeNetwork}, wait for
     * it; so does {@link #awaitRemovals}. Should the service stop first, removing the container's namespace
     * deletes the pair as well (a veth dies with its namespace).
     */
    @Override
    public void leave(NetworkSpec network, Endpoint endpoint) {
        if (!unpublished.remove(endpointKey(network, endpoint))) {
            unpublish(network, endpoint); // not just done by an explicit unpublish of this driver
        }
        String veth = KernelNames.hostVeth(network.id(), endpoint.containerId());
        if (linkExists(veth)) {
            remover.remove(veth);
        }
    }

    @Override
    public void publish(NetworkSpec network, Endpoint endpoint) {
        List<PortMapping> ports = Firewall.ipv4Only(endpoint.ports());
        if (ports.isEmpty()) {
            return;
        }
        String operation = "publish ports of container";
        Inet4Address address = endpoint.ipv4().orElseThrow(() -> invalid(operation, endpoint, "the endpoint has no IPv4 address"));
        for (PortMapping port : ports) {
            Optional<String> refusal = PortProbe.refusal(port);
            if (refusal.isPresent()) {
                throw new PortInUseException(NAME, shortId(endpoint), port, "Error starting userland proxy: " + refusal.get());
            }
        }
        String comment = KernelNames.endpointComment(network.id(), endpoint.containerId());
        List<NftElements.Change> changes = ports.stream().map(p -> Firewall.addPortElement(p, address, comment)).toList();
        try {
            applyElements(changes);
            unpublished.remove(endpointKey(network, endpoint));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EEXIST) {
                PortMapping taken = firstTaken(ports, address, comment);
                String ip = taken.hostIp().isEmpty() ? "0.0.0.0" : taken.hostIp();
                throw new PortInUseException(NAME, shortId(endpoint), taken,
                        "Bind for " + ip + ":" + taken.hostPort() + " failed: port is already allocated");
            }
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, operation, shortId(endpoint), e);
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, operation, shortId(endpoint), e);
        }
    }

    /** The first of {@code ports} another endpoint forwards already (each tried alone; nothing is kept). */
    private PortMapping firstTaken(List<PortMapping> ports, Inet4Address address, String comment) {
        for (PortMapping port : ports) {
            try {
                NftElements.apply(NftElements.NFPROTO_IPV4, config.nftTable(), Firewall.removePortElements(port, address));
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EEXIST) {
                    return port;
                }
            }
        }
        return ports.get(0);
    }

    @Override
    public void unpublish(NetworkSpec network, Endpoint endpoint) {
        List<PortMapping> ports = Firewall.ipv4Only(endpoint.ports());
        if (ports.isEmpty() || endpoint.ipv4().isEmpty()) {
            return;
        }
        Inet4Address address = endpoint.ipv4().get();
        String operation = "unpublish ports of container";
        List<NftElements.Change> changes = new ArrayList<>();
        for (PortMapping port : ports) {
            changes.addAll(Firewall.removePortElements(port, address));
        }
        try {
            try {
                NftElements.apply(NftElements.NFPROTO_IPV4, config.nftTable(), changes);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ENOENT) {
                    return; // no table or map: nothing of ours is forwarded
                }
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
                // Some key is another endpoint's now; remove ours one by one and leave that one alone.
                for (PortMapping port : ports) {
                    try {
                        NftElements.apply(NftElements.NFPROTO_IPV4, config.nftTable(), Firewall.removePortElements(port, address));
                    } catch (ErrnoException one) {
                        if (one.errno() != Errno.EEXIST && one.errno() != Errno.ENOENT) {
                            throw one;
                        }
                    }
                }
            }
            unpublished.add(endpointKey(network, endpoint));
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, operation, shortId(endpoint), e);
        }
    }

    /** Applies element changes; when the table or a map is missing (deleted by hand), writes them and retries. */
    private void applyElements(List<NftElements.Change> changes) throws IOException {
        try {
            NftElements.apply(NftElements.NFPROTO_IPV4, config.nftTable(), changes);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
            nft(firewall.skeleton());
            NftElements.apply(NftElements.NFPROTO_IPV4, config.nftTable(), changes);
        }
    }

    private static String endpointKey(NetworkSpec network, Endpoint endpoint) {
        return network.id() + "/" + endpoint.containerId();
    }

    /** Writes the table's fixed rules (and declares its sets); done when the driver is made and by every create. */
    void writeSkeleton() {
        try {
            nft(firewall.skeleton());
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.SYSTEM, NAME, "write nft table", config.nftTable(), e);
        }
    }

    /** Deletes this instance's whole nft table (tests; {@code ops/tallyman down} does the same with nft). */
    void deleteTable() throws IOException {
        nft("add table ip " + config.nftTable() + "\ndelete table ip " + config.nftTable() + "\n");
    }

    /**
     * For a bridge made before its MAC was set at creation: sets the MAC it has now, which pins it (the kernel
     * then keeps it whatever ports join). Nothing when it is pinned already.
     */
    private static String pinMac(String bridge) throws IOException {
        Path device = Path.of("/sys/class/net", bridge);
        // addr_assign_type 3: NET_ADDR_SET, a MAC somebody chose
        if (Files.readString(device.resolve("addr_assign_type")).trim().equals("3")) {
            return "";
        }
        return "link set " + bridge + " address " + Files.readString(device.resolve("address")).trim() + "\n";
    }

    /** Docker's MAC for an address when none is given: {@code 02:42} and the four address bytes. */
    static String macOf(Inet4Address address) {
        byte[] b = address.getAddress();
        return String.format("02:42:%02x:%02x:%02x:%02x", b[0] & 0xff, b[1] & 0xff, b[2] & 0xff, b[3] & 0xff);
    }

    /** {@code com.docker.network.driver.mtu}; 0 when not given (the kernel's default, 1500). */
    private static int mtuOf(NetworkSpec network) {
        String text = network.options().get(KernelNames.MTU_OPTION);
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            int mtu = Integer.parseInt(text.strip());
            if (mtu < 68 || mtu > 65535) {
                throw new NumberFormatException();
            }
            return mtu;
        } catch (NumberFormatException e) {
            throw new DriverException(DriverException.Kind.INVALID_ARGUMENT, NAME, "create network", network.name(),
                    "invalid MTU " + text + ": between 68 and 65535");
        }
    }

    private Ipv4Config addressing(NetworkSpec network, String operation) {
        return network.ipv4().orElseThrow(() -> new DriverException(DriverException.Kind.INVALID_ARGUMENT, NAME, operation,
                network.name(), "a bridge network needs an IPv4 subnet and gateway"));
    }

    private static String bridgeOf(NetworkSpec network, String operation) {
        String bridge = KernelNames.bridge(network);
        if (!KernelNames.isValidInterfaceName(bridge)) {
            throw new DriverException(DriverException.Kind.INVALID_ARGUMENT, NAME, operation, network.name(),
                    "invalid bridge name " + bridge + ": at most 15 characters, no '/', ':' or spaces");
        }
        return bridge;
    }

    private static DriverException invalid(String operation, Endpoint endpoint, String why) {
        return new DriverException(DriverException.Kind.INVALID_ARGUMENT, NAME, operation, shortId(endpoint), why);
    }

    private static String shortId(Endpoint endpoint) {
        String id = endpoint.containerId();
        return id.length() <= 12 ? id : id.substring(0, 12);
    }

    private static boolean linkExists(String name) {
        return Files.exists(SYS_NET.resolve(name));
    }

    /** Deletes links with rtnetlink; one already gone is no failure. */
    private void deleteLinks(List<String> names) throws IOException {
        for (String name : names) {
            RouteNetlink.deleteLink(name);
        }
    }

    private void deleteLink(String name) throws IOException {
        try {
            ip("link del " + name + "\n");
        } catch (Tools.ToolFailure e) {
            if (linkExists(name)) {
                throw e;
            }
            // gone meanwhile (its peer's namespace was destroyed): the result is the same
        }
    }

    private static void enableForwarding() throws IOException {
        if (!Files.readString(IP_FORWARD).strip().equals("1")) {
            Files.writeString(IP_FORWARD, "1");
        }
    }

    private void ip(String script) throws IOException {
        Tools.run(List.of(config.ip(), "-batch", "-"), script);
    }

    private void nft(String script) throws IOException {
        Tools.run(List.of(config.nft(), "-f", "-"), script);
    }
}
