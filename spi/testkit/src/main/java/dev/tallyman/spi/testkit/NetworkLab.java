package dev.tallyman.spi.testkit;

import dev.tallyman.spi.linux.NetworkNamespaces;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.Ipv4Config;
import dev.tallyman.spi.network.Ipv4Subnet;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;
import dev.tallyman.spi.network.PortMapping;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The networks, endpoints, namespaces and processes one contract check makes, all with test names
 * ({@code tmt…} bridges, namespaces under {@code /run/tallyman-it/netdrv-…}), removed by name in
 * {@link #close} even when the check failed.
 */
public final class NetworkLab implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Third octets of 10.213.x.0/24 handed out in this JVM, so concurrent labs never share a subnet. */
    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    private final NetworkDriver driver;
    private final boolean addressed;
    private final Path dir;
    private final List<NetworkSpec> networks = new ArrayList<>();
    private final List<Joined> endpoints = new ArrayList<>();
    private final List<Path> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> octets = new ArrayList<>();
    private final List<String> links = new ArrayList<>();

    private record Joined(NetworkSpec network, Endpoint endpoint) {
    }

    /** {@code addressed}: the driver makes interfaces, so networks get subnets and endpoints get namespaces. */
    public NetworkLab(NetworkDriver driver, boolean addressed) throws IOException {
        this(driver, addressed, Optional.empty());
    }

    /**
     * As {@link #NetworkLab(NetworkDriver, boolean)}; with an {@code uplinkOption} (macvlan's {@code parent}),
     * each network also gets an uplink of its own: a veth pair whose {@code tmtu…} end is handed to the driver
     * under that option and whose {@code tmtg…} end, on the host, holds the network's gateway address, standing
     * for the LAN's router.
     */
    public NetworkLab(NetworkDriver driver, boolean addressed, Optional<String> uplinkOption) throws IOException {
        this.driver = driver;
        this.addressed = addressed;
        this.uplinkOption = uplinkOption;
        this.dir = Files.createDirectories(Path.of("/run/tallyman-it", "netdrv-" + hex(4)));
    }

    private final Optional<String> uplinkOption;

    public static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A network spec with a test name, a {@code tmt…} bridge name and a private /24 no host route overlaps. */
    public NetworkSpec network(boolean internal) throws IOException {
        String id = hex(32);
        NetworkSpec spec;
        if (addressed) {
            Ipv4Subnet subnet = freeSubnet();
            Map<String, String> options = new java.util.HashMap<>(Map.of("com.docker.network.bridge.name", "tmt" + id.substring(0, 8)));
            if (uplinkOption.isPresent()) {
                options.put(uplinkOption.get(), uplink(subnet, id.substring(0, 8)));
            }
            spec = new NetworkSpec(id, "tmt-" + id.substring(0, 8), options,
                    Optional.of(new Ipv4Config(subnet, subnet.address(1), Optional.empty())), internal);
        } else {
            spec = new NetworkSpec(id, "tmt-" + id.substring(0, 8), Map.of(), Optional.empty(), internal);
        }
        networks.add(spec);
        return spec;
    }

    /** An endpoint for a new container: host number {@code n + 1} in the subnet, a fresh namespace, eth0. */
    public Endpoint endpoint(NetworkSpec network, int n, List<PortMapping> ports) throws IOException {
        String containerId = hex(32);
        Endpoint endpoint;
        if (addressed) {
            Path ns = dir.resolve("ns-" + containerId.substring(0, 12));
            namespaces.add(ns);
            NetworkNamespaces.create(ns);
            Ipv4Subnet subnet = network.ipv4().orElseThrow().subnet();
            endpoint = new Endpoint(containerId, Optional.of(ns), "eth0", Optional.of(subnet.address(n + 1)),
                    Optional.empty(), ports);
        } else {
            endpoint = new Endpoint(containerId, Optional.empty(), "eth0", Optional.empty(), Optional.empty(), ports);
        }
        endpoints.add(new Joined(network, endpoint));
        return endpoint;
    }

    /**
     * A namespace standing for another machine: a veth pair ({@code tmtv…}) links it to the host, which routes
     * between it and the containers' subnets as it would for a host on the LAN.
     *
     * @param namespace the outsider's namespace, to run commands in with {@link #inside(Path, String...)}
     * @param hostAddress the host's address on the link, the one the outsider reaches published ports at
     */
    public record Outsider(Path namespace, String hostAddress) {
    }

    public Outsider outsider() throws IOException, InterruptedException {
        Ipv4Subnet link = freeSubnet();
        String suffix = hex(4);
        String hostEnd = "tmtv" + suffix;
        Path ns = dir.resolve("outsider-" + suffix);
        namespaces.add(ns);
        NetworkNamespaces.create(ns);
        links.add(hostEnd);
        String host = link.address(1).getHostAddress();
        String outside = link.address(2).getHostAddress();
        check(run(List.of("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", ns.toString())));
        check(run(List.of("ip", "addr", "add", host + "/24", "dev", hostEnd)));
        check(run(List.of("ip", "link", "set", hostEnd, "up")));
        String nsArg = "--net=" + ns;
        check(run(List.of("nsenter", nsArg, "ip", "addr", "add", outside + "/24", "dev", "eth0")));
        check(run(List.of("nsenter", nsArg, "ip", "link", "set", "eth0", "up")));
        check(run(List.of("nsenter", nsArg, "ip", "route", "add", "default", "via", host)));
        return new Outsider(ns, host);
    }

    /** A veth pair: {@code tmtu<suffix>} for the driver, {@code tmtg<suffix>} up on the host with the gateway address. */
    private String uplink(Ipv4Subnet subnet, String suffix) throws IOException {
        String driverEnd = "tmtu" + suffix;
        String gatewayEnd = "tmtg" + suffix;
        links.add(driverEnd);
        try {
            check(run(List.of("ip", "link", "add", driverEnd, "type", "veth", "peer", "name", gatewayEnd)));
            check(run(List.of("ip", "addr", "add", subnet.address(1).getHostAddress() + "/" + subnet.prefixLength(),
                    "dev", gatewayEnd)));
            check(run(List.of("ip", "link", "set", gatewayEnd, "up")));
            check(run(List.of("ip", "link", "set", driverEnd, "up")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making uplink " + driverEnd, e);
        }
        return driverEnd;
    }

    /** Runs a command in a namespace made by this lab; returns exit status and output. */
    public Result inside(Path namespace, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + namespace));
        full.addAll(List.of(command));
        return run(full);
    }

    private static void check(Result result) {
        if (result.status() != 0) {
            throw new IllegalStateException("setting up the lab's links failed: " + result.output());
        }
    }

    /** The same endpoint with other ports to publish. */
    public Endpoint withPorts(Endpoint endpoint, List<PortMapping> ports) {
        return new Endpoint(endpoint.containerId(), endpoint.namespace(), endpoint.interfaceName(), endpoint.ipv4(),
                endpoint.macAddress(), ports);
    }

    /** Runs a command in the endpoint's namespace with nsenter; returns exit status and output. */
    public Result inside(Endpoint endpoint, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + endpoint.namespace().orElseThrow()));
        full.addAll(List.of(command));
        return run(full);
    }

    /** Starts a long-running command in the endpoint's namespace; it is killed by pid when the lab closes. */
    public Process start(Endpoint endpoint, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + endpoint.namespace().orElseThrow()));
        full.addAll(List.of(command));
        Process process = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(dir.resolve("proc-" + processes.size() + ".log").toFile()).start();
        processes.add(process);
        return process;
    }

    /** A directory of this lab's own (web roots and the like). */
    public Path dir() {
        return dir;
    }

    public static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), out);
    }

    public record Result(int status, String output) {
    }

    /** A TCP port free on the host right now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** An IPv4 address of this host that is not loopback and not on a test bridge (for {@code -p h:c} checks). */
    public static String hostAddress() throws IOException, InterruptedException {
        Result r = run(List.of("ip", "-4", "-o", "addr", "show", "scope", "global"));
        for (String line : r.output().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && !f[1].startsWith("tm") && !f[1].startsWith("docker") && f[2].equals("inet")) {
                return f[3].substring(0, f[3].indexOf('/'));
            }
        }
        throw new IllegalStateException("this host has no global IPv4 address:\n" + r.output());
    }

    private Ipv4Subnet freeSubnet() throws IOException {
        List<String> routes = Files.readAllLines(Path.of("/proc/net/route"));
        for (int attempt = 0; attempt < 200; attempt++) {
            int octet = RANDOM.nextInt(250) + 1;
            Ipv4Subnet candidate = Ipv4Subnet.parse("10.213." + octet + ".0/24");
            if (!TAKEN.add(octet)) {
                continue;
            }
            boolean overlaps = routes.stream().skip(1).map(l -> l.trim().split("\\s+")).filter(f -> f.length > 7)
                    .filter(f -> !f[1].equals("00000000"))
                    .anyMatch(f -> new Ipv4Subnet(littleEndian(f[1]), Integer.bitCount(littleEndian(f[7]))).overlaps(candidate));
            if (overlaps) {
                TAKEN.remove(octet);
                continue;
            }
            octets.add(octet);
            return candidate;
        }
        throw new IllegalStateException("no free 10.213.x.0/24 for a test network");
    }

    private static int littleEndian(String hex) {
        return Integer.reverseBytes(Integer.parseUnsignedInt(hex, 16));
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        for (Joined joined : endpoints) {
            try {
                driver.leave(joined.network(), joined.endpoint());
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        for (NetworkSpec network : networks) {
            try {
                driver.removeNetwork(network);
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        for (String link : links) {
            try {
                if (Files.exists(Path.of("/sys/class/net", link))) {
                    run(List.of("ip", "link", "del", link));
                }
            } catch (IOException e) {
                failure = add(failure, e);
            }
        }
        for (Path ns : namespaces) {
            try {
                NetworkNamespaces.remove(ns);
            } catch (IOException e) {
                failure = add(failure, e);
            }
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                deleteTree(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            failure = add(failure, e);
        }
        TAKEN.removeAll(octets);
        if (failure != null) {
            throw failure;
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var children = Files.list(path)) {
                for (Path child : children.toList()) {
                    deleteTree(child);
                }
            }
        }
        Files.deleteIfExists(path);
    }

    private static Exception add(Exception first, Exception next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
