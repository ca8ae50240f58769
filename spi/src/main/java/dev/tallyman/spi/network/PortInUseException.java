package dev.tallyman.spi.network;

import dev.tallyman.spi.DriverException;

/**
 * A published port that cannot be had: a host process holds it, another endpoint forwards it, or the host
 * address is not one of the host's. {@link #reason()} is the text Docker puts after
 * {@code driver failed programming external connectivity on endpoint <name> (<id>): }, e.g.
 * {@code Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use}.
 */
public class PortInUseException extends DriverException {
    private final PortMapping port;
    private final String reason;

    public PortInUseException(String driver, String endpoint, PortMapping port, String reason) {
        super(Kind.IN_USE, driver, "publish port of", endpoint, reason);
        this.port = port;
        this.reason = reason;
    }

    public PortMapping port() {
        return port;
    }

    /** Docker's wording of why the port cannot be published. */
    public String reason() {
        return reason;
    }
}
