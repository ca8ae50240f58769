package dev.tallyman.spi.network;

import java.util.Objects;

/**
 * One published port: traffic to {@code hostIp:hostPort} reaches the container's {@code containerPort}.
 * The host has already chosen a concrete host port (also for {@code -p 80}, which asks for any free one).
 *
 * @param hostIp the host address it is published on; empty for every address (Docker's {@code 0.0.0.0})
 */
public record PortMapping(Protocol protocol, String hostIp, int hostPort, int containerPort) {
    public enum Protocol {
        TCP, UDP;

        /** Docker's spelling: {@code tcp}, {@code udp}. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public PortMapping {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(hostIp, "hostIp");
        if (hostPort < 1 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) {
            throw new IllegalArgumentException("port out of range: " + hostPort + ":" + containerPort);
        }
    }
}
