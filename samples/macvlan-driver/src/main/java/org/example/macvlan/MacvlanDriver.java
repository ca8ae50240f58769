package org.example.macvlan;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.Ipv4Config;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Docker's macvlan driver, the parts a single host needs: each container gets a macvlan interface on the
 * network's parent interface (option {@code parent}, required), so it sits on the parent's LAN with its own MAC
 * and the address the host's IPAM gave it, its default route through the network's gateway (a router on that
 * LAN). The driver keeps no state: a network is only its options, and each endpoint's interface lives in the
 * container's namespace, so it goes away with the namespace or on {@link #leave}.
 *
 * <p>Options ({@code docker network create -d macvlan -o …}): {@code parent} (a host interface, required),
 * {@code macvlan_mode} ({@code bridge}, the default, {@code private}, {@code vepa} or {@code passthru}).
 * As with Docker's macvlan, the host itself cannot reach its containers through the parent interface.
 */
final class MacvlanDriver implements NetworkDriver {
    static final String NAME = "macvlan";
    private static final Set<String> MODES = Set.of("bridge", "private", "vepa", "passthru");

    private final Ip ip;

    MacvlanDriver(Ip ip) {
        this.ip = ip;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Checks the options and that the parent interface exists; makes nothing, so a repeat is safe. */
    @Override
    public void createNetwork(NetworkSpec network) {
        parentOf(network, "create network");
        modeOf(network, "create network");
        if (network.ipv4().isEmpty()) {
            throw new DriverException(DriverException.Kind.INVALID_ARGUMENT, NAME, "create network", network.name(),
                    "a macvlan network needs an IPv4 subnet");
        }
    }

    /** A macvlan network has no kernel object of its own: nothing to remove. */
    @Override
    public void removeNetwork(NetworkSpec network) {
    }

    @Override
    public Attachment join(NetworkSpec network, Endpoint endpoint) {
        String object = network.name() + "/" + endpoint.containerId();
        Path namespace = endpoint.namespace().orElseThrow(() -> new DriverException(DriverException.Kind.INVALID_ARGUMENT,
                NAME, "join", object, "the endpoint has no network namespace"));
        Ipv4Config ipv4 = network.ipv4().orElseThrow(() -> new DriverException(DriverException.Kind.INVALID_ARGUMENT,
                NAME, "join", object, "the network has no IPv4 subnet"));
        String address = endpoint.ipv4().orElseThrow(() -> new DriverException(DriverException.Kind.INVALID_ARGUMENT,
                NAME, "join", object, "the endpoint has no IPv4 address")).getHostAddress();
        String cidr = address + "/" + ipv4.subnet().prefixLength();
        String name = endpoint.interfaceName();
        Optional<String> gateway = network.internal() ? Optional.empty() : Optional.of(ipv4.gateway().getHostAddress());

        if (!ip.inside(namespace, "link", "show", "dev", name).ok()) {
            String parent = parentOf(network, "join");
            String mode = modeOf(network, "join");
            // Made on the host under a name of its own, then moved: two joins at once never clash on "eth0".
            String temporary = "mvl" + shortHash(network.id() + "/" + endpoint.containerId());
            ip.onHost("link", "del", temporary);
            List<String> add = new java.util.ArrayList<>(List.of("link", "add", "link", parent, "name", temporary));
            endpoint.macAddress().ifPresent(mac -> add.addAll(List.of("address", mac)));
            add.addAll(List.of("type", "macvlan", "mode", mode));
            check(ip.onHost(add.toArray(String[]::new)), "join", object, null, null);
            check(ip.onHost("link", "set", temporary, "netns", namespace.toString()), "join", object, temporary, null);
            check(ip.inside(namespace, "link", "set", temporary, "name", name), "join", object, null, namespace, temporary);
            check(ip.inside(namespace, "addr", "add", cidr, "dev", name), "join", object, null, namespace, name);
            check(ip.inside(namespace, "link", "set", name, "up"), "join", object, null, namespace, name);
            check(ip.inside(namespace, "link", "set", "lo", "up"), "join", object, null, namespace, name);
            if (gateway.isPresent() && ip.inside(namespace, "route", "show", "default").output().isBlank()) {
                check(ip.inside(namespace, "route", "add", "default", "via", gateway.get(), "dev", name),
                        "join", object, null, namespace, name);
            }
        }
        String mac = macOf(ip.inside(namespace, "-o", "link", "show", "dev", name).output());
        boolean routed = gateway.isPresent()
                && ip.inside(namespace, "route", "show", "default").output().contains("via " + gateway.get() + " dev " + name);
        return new Attachment(Attachment.Mode.PATH, Optional.of(namespace), List.of(cidr),
                routed ? gateway : Optional.empty(), mac.isEmpty() ? Optional.empty() : Optional.of(mac));
    }

    /** Deletes the endpoint's interface in its namespace; a missing namespace or interface is nothing. */
    @Override
    public void leave(NetworkSpec network, Endpoint endpoint) {
        Optional<Path> namespace = endpoint.namespace().filter(Files::exists);
        if (namespace.isEmpty()) {
            return;
        }
        if (ip.inside(namespace.get(), "link", "show", "dev", endpoint.interfaceName()).ok()) {
            Ip.Result deleted = ip.inside(namespace.get(), "link", "del", endpoint.interfaceName());
            if (!deleted.ok() && ip.inside(namespace.get(), "link", "show", "dev", endpoint.interfaceName()).ok()) {
                throw new DriverException(DriverException.Kind.SYSTEM, NAME, "leave",
                        network.name() + "/" + endpoint.containerId(), deleted.output());
            }
        }
    }

    private String parentOf(NetworkSpec network, String operation) {
        String parent = network.options().get("parent");
        if (parent == null || parent.isBlank()) {
            throw new DriverException(DriverException.Kind.INVALID_ARGUMENT, NAME, operation, network.name(),
                    "option parent is required (-o parent=<host interface>)");
        }
        if (!Files.exists(Path.of("/sys/class/net", parent))) {
            // Docker's wording for a parent that is not there.
            throw new DriverException(DriverException.Kind.NOT_FOUND, NAME, operation, network.name(),
                    "-o parent interface was not found on the host: " + parent);
        }
        return parent;
    }

    private static String modeOf(NetworkSpec network, String operation) {
        String mode = network.options().getOrDefault("macvlan_mode", "bridge");
        if (!MODES.contains(mode)) {
            throw new DriverException(DriverException.Kind.INVALID_ARGUMENT, NAME, operation, network.name(),
                    "requested macvlan mode '" + mode + "' is not valid, 'bridge' mode is the macvlan driver default");
        }
        return mode;
    }

    /**
     * Throws with the failing command's output after undoing what the join made so far: the temporary
     * interface on the host, or the interface already moved into the namespace.
     */
    private void check(Ip.Result result, String operation, String object, String onHost, Path namespace, String... inside) {
        if (result.ok()) {
            return;
        }
        if (onHost != null) {
            ip.onHost("link", "del", onHost);
        }
        if (namespace != null) {
            for (String name : inside) {
                ip.inside(namespace, "link", "del", name);
            }
        }
        throw new DriverException(DriverException.Kind.SYSTEM, NAME, operation, object, result.output());
    }

    private void check(Ip.Result result, String operation, String object, String onHost, Path namespace) {
        check(result, operation, object, onHost, namespace, new String[0]);
    }

    private static String macOf(String linkLine) {
        int at = linkLine.indexOf("link/ether ");
        if (at < 0) {
            return "";
        }
        String rest = linkLine.substring(at + "link/ether ".length()).trim();
        int space = rest.indexOf(' ');
        return space < 0 ? rest : rest.substring(0, space);
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
