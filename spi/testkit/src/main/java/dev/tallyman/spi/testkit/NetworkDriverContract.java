package dev.tallyman.spi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;
import dev.tallyman.spi.network.PortInUseException;
import dev.tallyman.spi.network.PortMapping;
import dev.tallyman.spi.network.PortPublishing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link NetworkDriver} must do. A driver's integration test implements this interface and
 * {@link #newDriver}; drivers that make interfaces in the endpoint's namespace say so with
 * {@link #makesInterfaces()} and get the kernel checks too (addresses, routes, reachability, isolation,
 * published ports), made with real namespaces, looked at with {@code nsenter … ip} and busybox. Each check
 * makes its objects with test names through a {@link NetworkLab} and removes them by name even when it fails;
 * {@link #leftovers} says what the driver still has in the kernel for given networks and endpoints, and must be
 * empty once they are gone. The checks need root.
 */
public interface NetworkDriverContract {

    /** A new driver keeping whatever it keeps under {@code root}. */
    NetworkDriver newDriver(Path root);

    /** True for drivers that make an interface in the endpoint's namespace (bridge, macvlan). */
    default boolean makesInterfaces() {
        return false;
    }

    /**
     * True for drivers that also publish ports ({@link PortPublishing}) and keep networks apart with firewall
     * rules, as Docker's bridge does; they get the checks of published ports and isolation too. A driver that
     * hands the container to the LAN (macvlan, ipvlan) says false: the LAN's router decides what reaches what.
     */
    default boolean firewalls() {
        return makesInterfaces();
    }

    /**
     * The network option that names the host interface a network hangs off (macvlan's and ipvlan's
     * {@code parent}), for drivers that need one: each network of a check then gets a veth pair of its own whose
     * far end, on the host, holds the network's gateway address (see {@link NetworkLab}). Empty: none needed.
     */
    default java.util.Optional<String> uplinkOption() {
        return java.util.Optional.empty();
    }

    /**
     * The kernel objects the driver still has for these networks and endpoints (bridges, veths, firewall
     * entries), described for a failure message; empty when it has none. A driver that finishes removals in
     * the background waits for them here first.
     */
    default List<String> leftovers(NetworkDriver driver, List<NetworkSpec> networks, List<Endpoint> endpoints)
            throws Exception {
        return List.of();
    }

    private NetworkLab lab(NetworkDriver driver) throws IOException {
        return new NetworkLab(driver, makesInterfaces(), uplinkOption());
    }

    private static void assertKind(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, DriverException.Kind kind) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DriverException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    default void createTwiceIsSafeAndRemoveOfAbsentNetworkIsNothing(@TempDir Path root) throws Exception {
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            driver.createNetwork(network);
            driver.removeNetwork(network);
            driver.removeNetwork(network);

            assertThat(leftovers(driver, List.of(network), List.of())).isEmpty();
        }
    }

    @Test
    default void leaveOfAnEndpointThatNeverJoinedIsNothing(@TempDir Path root) throws Exception {
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            Endpoint endpoint = lab.endpoint(network, 1, List.of());

            driver.leave(network, endpoint);
            driver.leave(network, endpoint);
        }
    }

    @Test
    default void onlyDriversThatFirewallPublishPorts(@TempDir Path root) {
        assertThat(newDriver(root) instanceof PortPublishing).isEqualTo(firewalls());
    }

    @Test
    default void joinWithoutInterfacesConfiguresNothing(@TempDir Path root) throws Exception {
        assumeTrue(!makesInterfaces(), "this driver makes interfaces; the kernel checks cover it");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            Attachment attachment = driver.join(network, lab.endpoint(network, 1, List.of()));

            assertThat(attachment.mode()).isIn(Attachment.Mode.HOST, Attachment.Mode.NEW);
            assertThat(attachment.addresses()).isEmpty();
            assertThat(attachment.macAddress()).isEmpty();
        }
    }

    @Test
    default void joinGivesTheInterfaceItsAddressMacAndDefaultRoute(@TempDir Path root) throws Exception {
        assumeTrue(makesInterfaces(), "this driver makes no interfaces");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            Endpoint endpoint = lab.endpoint(network, 1, List.of());
            String gateway = network.ipv4().orElseThrow().gateway().getHostAddress();
            String cidr = network.ipv4().orElseThrow().subnet().cidrOf(endpoint.ipv4().orElseThrow());

            Attachment attachment = driver.join(network, endpoint);

            assertThat(attachment.mode()).isEqualTo(Attachment.Mode.PATH);
            assertThat(attachment.namespacePath()).isEqualTo(endpoint.namespace());
            assertThat(attachment.addresses()).containsExactly(cidr);
            assertThat(attachment.gateway()).contains(gateway);
            String mac = attachment.macAddress().orElseThrow();
            assertThat(lab.inside(endpoint, "ip", "-o", "-4", "addr", "show", "dev", "eth0").output()).contains(cidr);
            String link = lab.inside(endpoint, "ip", "-o", "link", "show", "dev", "eth0").output();
            assertThat(link).contains(mac).contains(",UP");
            assertThat(lab.inside(endpoint, "ip", "-o", "link", "show", "dev", "lo").output()).contains(",UP");
            assertThat(lab.inside(endpoint, "ip", "route", "show", "default").output())
                    .contains("default via " + gateway + " dev eth0");
        }
    }

    @Test
    default void joinIsRepeatSafe(@TempDir Path root) throws Exception {
        assumeTrue(makesInterfaces(), "this driver makes no interfaces");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            Endpoint endpoint = lab.endpoint(network, 1, List.of());

            Attachment first = driver.join(network, endpoint);
            Attachment second = driver.join(network, endpoint);

            assertThat(second).isEqualTo(first);
            assertThat(lab.inside(endpoint, "ip", "-o", "link", "show").output().lines()).hasSize(2);
            assertThat(lab.inside(endpoint, "ip", "route", "show", "default").output().lines()).hasSize(1);
        }
    }

    @Test
    default void twoEndpointsOnOneNetworkReachEachOther(@TempDir Path root) throws Exception {
        assumeTrue(makesInterfaces(), "this driver makes no interfaces");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            Endpoint a = lab.endpoint(network, 1, List.of());
            Endpoint b = lab.endpoint(network, 2, List.of());
            driver.join(network, a);
            driver.join(network, b);

            NetworkLab.Result ping = lab.inside(a, "busybox", "ping", "-c1", "-W2", b.ipv4().orElseThrow().getHostAddress());

            assertThat(ping.status()).as(ping.output()).isZero();
        }
    }

    @Test
    default void parallelJoinsOnOneNetworkAllWork(@TempDir Path root) throws Exception {
        assumeTrue(makesInterfaces(), "this driver makes no interfaces");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            List<Endpoint> endpoints = new java.util.ArrayList<>();
            for (int i = 1; i <= 12; i++) {
                endpoints.add(lab.endpoint(network, i, List.of()));
            }
            var pool = java.util.concurrent.Executors.newFixedThreadPool(12);
            try {
                List<java.util.concurrent.Future<Attachment>> joins = new java.util.ArrayList<>();
                for (Endpoint endpoint : endpoints) {
                    joins.add(pool.submit(() -> driver.join(network, endpoint)));
                }
                for (var join : joins) {
                    assertThat(join.get().addresses()).hasSize(1);
                }
            } finally {
                pool.shutdown();
            }
            String gateway = network.ipv4().orElseThrow().gateway().getHostAddress();
            for (Endpoint endpoint : List.of(endpoints.get(0), endpoints.get(11))) {
                NetworkLab.Result ping = lab.inside(endpoint, "busybox", "ping", "-c1", "-W2", gateway);
                assertThat(ping.status()).as(ping.output()).isZero();
            }
        }
    }

    @Test
    default void twoNetworksCannotReachEachOther(@TempDir Path root) throws Exception {
        assumeTrue(firewalls(), "this driver publishes no ports and keeps no firewall");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec red = lab.network(false);
            NetworkSpec blue = lab.network(false);
            driver.createNetwork(red);
            driver.createNetwork(blue);
            Endpoint a = lab.endpoint(red, 1, List.of());
            Endpoint b = lab.endpoint(blue, 1, List.of());
            driver.join(red, a);
            driver.join(blue, b);

            // Each reaches its own gateway, so the failure below is isolation and not a broken interface.
            String redGateway = red.ipv4().orElseThrow().gateway().getHostAddress();
            assertThat(lab.inside(a, "busybox", "ping", "-c1", "-W2", redGateway).status()).isZero();
            NetworkLab.Result across = lab.inside(a, "busybox", "ping", "-c1", "-W1", b.ipv4().orElseThrow().getHostAddress());

            assertThat(across.status()).as(across.output()).isNotZero();
        }
    }

    @Test
    default void internalNetworkHasNoDefaultRouteAndNoWayOut(@TempDir Path root) throws Exception {
        assumeTrue(firewalls(), "this driver publishes no ports and keeps no firewall");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec inner = lab.network(true);
            NetworkSpec outer = lab.network(false);
            driver.createNetwork(inner);
            driver.createNetwork(outer);
            Endpoint a = lab.endpoint(inner, 1, List.of());
            Endpoint b = lab.endpoint(inner, 2, List.of());
            Endpoint c = lab.endpoint(outer, 1, List.of());
            Attachment attachment = driver.join(inner, a);
            driver.join(inner, b);
            driver.join(outer, c);

            assertThat(attachment.gateway()).isEmpty();
            assertThat(lab.inside(a, "ip", "route", "show", "default").output()).isBlank();
            assertThat(lab.inside(a, "busybox", "ping", "-c1", "-W2", b.ipv4().orElseThrow().getHostAddress()).status()).isZero();
            assertThat(lab.inside(c, "busybox", "ping", "-c1", "-W1", a.ipv4().orElseThrow().getHostAddress()).status()).isNotZero();
        }
    }

    @Test
    default void publishedPortsReachAListenerFromLoopbackTheHostAddressAndOtherContainers(@TempDir Path root)
            throws Exception {
        assumeTrue(firewalls(), "this driver publishes no ports and keeps no firewall");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            int onLoopback = NetworkLab.freePort();
            int onAll = NetworkLab.freePort();
            Endpoint web = lab.endpoint(network, 1, List.of(
                    new PortMapping(PortMapping.Protocol.TCP, "127.0.0.1", onLoopback, 80),
                    new PortMapping(PortMapping.Protocol.TCP, "", onAll, 80)));
            Endpoint client = lab.endpoint(network, 2, List.of());
            driver.join(network, web);
            driver.join(network, client);
            Path site = Files.createDirectories(lab.dir().resolve("site"));
            Files.writeString(site.resolve("index.html"), "hello from the namespace\n");
            lab.start(web, "busybox", "httpd", "-f", "-p", "80", "-h", site.toString());
            ((PortPublishing) driver).publish(network, web);
            String host = NetworkLab.hostAddress();

            assertThat(httpGet("127.0.0.1", onLoopback)).contains("hello from the namespace");
            assertThat(httpGet(host, onAll)).contains("hello from the namespace");
            NetworkLab.Result hairpin = lab.inside(client, "busybox", "wget", "-q", "-O", "-",
                    "http://" + host + ":" + onAll + "/");
            assertThat(hairpin.output()).contains("hello from the namespace");
            assertThat(httpGetFails(host, onLoopback)).as("a port published on 127.0.0.1 only").isTrue();
        }
    }

    @Test
    default void fromAnotherMachineOnlyPublishedPortsReachAContainer(@TempDir Path root) throws Exception {
        assumeTrue(firewalls(), "this driver publishes no ports and keeps no firewall");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            int published = NetworkLab.freePort();
            Endpoint web = lab.endpoint(network, 1, List.of(new PortMapping(PortMapping.Protocol.TCP, "", published, 80)));
            driver.join(network, web);
            Path site = Files.createDirectories(lab.dir().resolve("site"));
            Files.writeString(site.resolve("index.html"), "published to the world\n");
            lab.start(web, "busybox", "httpd", "-f", "-p", "80", "-h", site.toString());
            ((PortPublishing) driver).publish(network, web);
            NetworkLab.Outsider outsider = lab.outsider();
            String container = web.ipv4().orElseThrow().getHostAddress();
            httpGet("127.0.0.1", published); // the listener is up

            NetworkLab.Result viaPort = lab.inside(outsider.namespace(), "busybox", "wget", "-q", "-O", "-",
                    "http://" + outsider.hostAddress() + ":" + published + "/");
            NetworkLab.Result direct = lab.inside(outsider.namespace(), "busybox", "ping", "-c1", "-W1", container);

            assertThat(viaPort.output()).contains("published to the world");
            assertThat(direct.status()).as("a container address is not reachable from outside: " + direct.output()).isNotZero();
        }
    }

    @Test
    default void portHeldByAHostProcessIsInUseAndNothingIsLeft(@TempDir Path root) throws Exception {
        assumeTrue(firewalls(), "this driver publishes no ports and keeps no firewall");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver); ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress("0.0.0.0", 0));
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            int free = NetworkLab.freePort();
            Endpoint endpoint = lab.endpoint(network, 1, List.of(
                    new PortMapping(PortMapping.Protocol.TCP, "", free, 81),
                    new PortMapping(PortMapping.Protocol.TCP, "", held.getLocalPort(), 80)));
            driver.join(network, endpoint);

            assertThatThrownBy(() -> ((PortPublishing) driver).publish(network, endpoint))
                    .isInstanceOfSatisfying(PortInUseException.class, e -> {
                        assertThat(e.kind()).isEqualTo(DriverException.Kind.IN_USE);
                        assertThat(e.reason()).contains("listen tcp4 0.0.0.0:" + held.getLocalPort()
                                + ": bind: address already in use");
                    });
            assertThat(leftovers(driver, List.of(), List.of(endpoint))).isEmpty();
        }
    }

    @Test
    default void secondEndpointCannotTakeAForwardedPort(@TempDir Path root) throws Exception {
        assumeTrue(firewalls(), "this driver publishes no ports and keeps no firewall");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            int port = NetworkLab.freePort();
            List<PortMapping> ports = List.of(new PortMapping(PortMapping.Protocol.TCP, "127.0.0.1", port, 80));
            Endpoint first = lab.endpoint(network, 1, ports);
            Endpoint second = lab.endpoint(network, 2, ports);
            driver.join(network, first);
            driver.join(network, second);
            ((PortPublishing) driver).publish(network, first);

            assertKind(() -> ((PortPublishing) driver).publish(network, second), DriverException.Kind.IN_USE);
            ((PortPublishing) driver).unpublish(network, second);
            ((PortPublishing) driver).publish(network, first); // still the first's, so a repeat is fine
        }
    }

    @Test
    default void leaveUnpublishAndRemoveNetworkLeaveNothingBehind(@TempDir Path root) throws Exception {
        assumeTrue(firewalls(), "this driver publishes no ports and keeps no firewall");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            Endpoint a = lab.endpoint(network, 1, List.of(
                    new PortMapping(PortMapping.Protocol.TCP, "", NetworkLab.freePort(), 80),
                    new PortMapping(PortMapping.Protocol.UDP, "127.0.0.1", NetworkLab.freePort(), 53)));
            Endpoint b = lab.endpoint(network, 2, List.of(
                    new PortMapping(PortMapping.Protocol.TCP, "127.0.0.1", NetworkLab.freePort(), 80)));
            driver.join(network, a);
            driver.join(network, b);
            ((PortPublishing) driver).publish(network, a);
            ((PortPublishing) driver).publish(network, b);
            assertThat(leftovers(driver, List.of(network), List.of(a, b))).isNotEmpty();

            ((PortPublishing) driver).unpublish(network, b);
            ((PortPublishing) driver).unpublish(network, b);
            driver.leave(network, a);
            driver.leave(network, a);
            driver.leave(network, b);
            assertThat(leftovers(driver, List.of(), List.of(a, b))).isEmpty();
            assertThat(lab.inside(a, "ip", "-o", "link", "show").output().lines()).hasSize(1);

            driver.removeNetwork(network);
            assertThat(leftovers(driver, List.of(network), List.of(a, b))).isEmpty();
        }
    }

    @Test
    default void internalNetworkGivesNoDefaultRoute(@TempDir Path root) throws Exception {
        assumeTrue(makesInterfaces(), "this driver makes no interfaces");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec inner = lab.network(true);
            driver.createNetwork(inner);
            Endpoint a = lab.endpoint(inner, 1, List.of());
            Endpoint b = lab.endpoint(inner, 2, List.of());
            Attachment attachment = driver.join(inner, a);
            driver.join(inner, b);

            assertThat(attachment.gateway()).isEmpty();
            assertThat(lab.inside(a, "ip", "route", "show", "default").output()).isBlank();
            assertThat(lab.inside(a, "busybox", "ping", "-c1", "-W2", b.ipv4().orElseThrow().getHostAddress()).status()).isZero();
        }
    }

    @Test
    default void leaveAndRemoveNetworkLeaveNothingBehind(@TempDir Path root) throws Exception {
        assumeTrue(makesInterfaces(), "this driver makes no interfaces");
        NetworkDriver driver = newDriver(root);
        try (NetworkLab lab = lab(driver)) {
            NetworkSpec network = lab.network(false);
            driver.createNetwork(network);
            Endpoint a = lab.endpoint(network, 1, List.of());
            Endpoint b = lab.endpoint(network, 2, List.of());
            driver.join(network, a);
            driver.join(network, b);

            driver.leave(network, a);
            driver.leave(network, a);
            driver.leave(network, b);
            assertThat(leftovers(driver, List.of(), List.of(a, b))).isEmpty();
            assertThat(lab.inside(a, "ip", "-o", "link", "show").output().lines()).hasSize(1);
            assertThat(lab.inside(b, "ip", "-o", "link", "show").output().lines()).hasSize(1);

            driver.removeNetwork(network);
            driver.removeNetwork(network);
            assertThat(leftovers(driver, List.of(network), List.of(a, b))).isEmpty();
        }
    }

    /** GET / over HTTP/1.0, retried for a few seconds while the listener in the namespace starts. */
    private static String httpGet(String host, int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                return httpGetOnce(host, port);
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static String httpGetOnce(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean httpGetFails(String host, int port) {
        try {
            httpGetOnce(host, port);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
