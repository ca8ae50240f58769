package dev.tallyman.host.commands.networks;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Host ports for {@code -p 80} and {@code -P}: Docker takes them from the kernel's ephemeral range
 * ({@code net.ipv4.ip_local_port_range}, 32768–60999 by default), skipping ports another endpoint holds and
 * ports a host process listens on.
 */
public final class HostPorts {
    private HostPorts() {
    }

    /** The kernel's ephemeral range, or Docker's fallback when it cannot be read. */
    public static int[] ephemeralRange() {
        try {
            String[] f = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32768, 60999};
        }
    }

    /** The first port of the range that {@code held} does not hold and no host process is bound to. */
    public static Optional<Integer> firstFree(String protocol, String hostIp, IntPredicate held) {
        int[] range = ephemeralRange();
        for (int port = range[0]; port <= range[1]; port++) {
            if (!held.test(port) && bindable(protocol, hostIp, port)) {
                return Optional.of(port);
            }
        }
        return Optional.empty();
    }

    /** True when nothing on the host has the port: a socket can bind it. */
    public static boolean bindable(String protocol, String hostIp, int port) {
        try {
            InetAddress address = InetAddress.getByName(hostIp.isEmpty() ? "0.0.0.0" : hostIp);
            if (protocol.equals("udp")) {
                try (DatagramSocket s = new DatagramSocket(null)) {
                    s.bind(new InetSocketAddress(address, port));
                }
            } else {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(address, port));
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
