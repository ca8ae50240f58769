package dev.tallyman.network.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a network namespace holds, read on a thread inside it: {@code /proc/thread-self/net/} shows the
 * thread's namespace (sysfs would show the host's, the namespace it was mounted in).
 */
record NamespaceView(boolean hasInterface, boolean hasDefaultRoute) {

    static NamespaceView read(String interfaceName) throws IOException {
        Path net = Path.of("/proc/thread-self/net");
        return new NamespaceView(hasInterface(Files.readAllLines(net.resolve("dev")), interfaceName),
                hasDefaultRoute(Files.readAllLines(net.resolve("route"))));
    }

    /** /proc/net/dev: two header lines, then {@code <name>: <counters>} per interface. */
    static boolean hasInterface(List<String> devLines, String name) {
        return devLines.stream().skip(2).map(line -> line.strip())
                .anyMatch(line -> line.startsWith(name + ":"));
    }

    /** /proc/net/route: a header line, then {@code Iface Destination Gateway Flags … Mask …} in hex. */
    static boolean hasDefaultRoute(List<String> routeLines) {
        return routeLines.stream().skip(1).map(line -> line.strip().split("\\s+"))
                .anyMatch(f -> f.length > 7 && f[1].equals("00000000") && f[7].equals("00000000"));
    }
}
