package dev.tallyman.spi.network;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link NetworkDriver#join} did, for the runtime and for inspect.
 *
 * @param mode HOST: share the host's namespace; NEW: a fresh namespace with only loopback, made by the runtime;
 *             PATH: join the namespace at {@code namespacePath} (the endpoint's, configured by the driver)
 * @param addresses addresses the container got, in CIDR form
 * @param gateway the default gateway the driver set in the container, if any
 * @param macAddress the MAC address of the container's interface, if the driver made one
 */
public record Attachment(Mode mode, Optional<Path> namespacePath, List<String> addresses, Optional<String> gateway,
                         Optional<String> macAddress) {
    public enum Mode { HOST, NEW, PATH }

    public Attachment {
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(macAddress, "macAddress");
        if ((mode == Mode.PATH) != namespacePath.isPresent()) {
            throw new IllegalArgumentException("a namespace path goes with mode PATH and only with it");
        }
    }

    public Attachment(Mode mode, Optional<Path> namespacePath, List<String> addresses) {
        this(mode, namespacePath, addresses, Optional.empty(), Optional.empty());
    }

    public static Attachment host() {
        return new Attachment(Mode.HOST, Optional.empty(), List.of());
    }

    public static Attachment loopbackOnly() {
        return new Attachment(Mode.NEW, Optional.empty(), List.of());
    }
}
