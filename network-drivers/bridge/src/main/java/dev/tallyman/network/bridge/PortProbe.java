package dev.tallyman.network.bridge;

import dev.tallyman.spi.network.Ipv4Subnet;
import dev.tallyman.spi.network.PortMapping;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells whether a host process holds a port, by binding it for a moment, as Docker's userland proxy would.
 * Forwarding by DNAT holds no socket, so without this a published port would silently shadow a host service.
 */
final class PortProbe {
    private PortProbe() {
    }

    /** Empty when {@code hostIp:hostPort} can be bound; else Docker's words, {@code listen tcp4 0.0.0.0:8080: bind: …}. */
    static Optional<String> refusal(PortMapping port) {
        String ip = port.hostIp().isEmpty() ? "0.0.0.0" : port.hostIp();
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(Ipv4Subnet.parseAddress(ip), port.hostPort());
        } catch (IllegalArgumentException e) {
            return Optional.of("invalid host IP " + ip);
        }
        try {
            if (port.protocol() == PortMapping.Protocol.TCP) {
                try (ServerSocket socket = new ServerSocket()) {
                    // Java sets SO_REUSEADDR on Linux: a socket in TIME_WAIT does not count, a listener does.
                    socket.bind(address, 1);
                }
            } else {
                try (DatagramSocket socket = new DatagramSocket(null)) {
                    socket.bind(address);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            String cause = e.getMessage() == null ? "address already in use" : e.getMessage();
            int paren = cause.indexOf(" (");
            if (paren > 0) {
                cause = cause.substring(0, paren); // "Address already in use (Bind failed)"
            }
            return Optional.of("listen " + port.protocol().wire() + "4 " + ip + ":" + port.hostPort() + ": bind: "
                    + cause.toLowerCase(Locale.ROOT));
        }
    }
}
