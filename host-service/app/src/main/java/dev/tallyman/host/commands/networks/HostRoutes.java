package dev.tallyman.host.commands.networks;

import dev.tallyman.spi.network.Ipv4Subnet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The destinations of the host's IPv4 routes, from {@code /proc/net/route}: a subnet that overlaps one of them
 * would hide part of the host's network from its containers, so the pools skip them. The default route
 * (0.0.0.0/0) overlaps everything and is left out, as Docker does.
 */
public final class HostRoutes {
    private HostRoutes() {
    }

    public static List<Ipv4Subnet> read() {
        return read(Path.of("/proc/net/route"));
    }

    static List<Ipv4Subnet> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("read host routes " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The table's destination and mask columns are little-endian hex ({@code 0011A8C0} is 192.168.17.0).
     */
    static List<Ipv4Subnet> parse(String table) {
        List<Ipv4Subnet> routes = new ArrayList<>();
        String[] lines = table.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            int destination = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
            int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
            int prefix = Integer.bitCount(mask);
            if (prefix == 0) {
                continue;
            }
            routes.add(new Ipv4Subnet(destination, prefix));
        }
        return routes;
    }
}
