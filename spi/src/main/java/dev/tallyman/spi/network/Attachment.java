package dev.tallyman.spi.network;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How the runtime sets up a container's network namespace after {@link NetworkDriver#join}.
 *
 * @param mode HOST: share the host's namespace; NEW: a fresh namespace with only loopback, made by the runtime;
 *             PATH: join the namespace the driver prepared at {@code namespacePath}
 * @param addresses addresses the container got, in CIDR form, for inspect
 */
public record Attachment(Mode mode, Optional<Path> namespacePath, List<String> addresses) {
    public enum Mode { HOST, NEW, PATH }

    public Attachment {
        addresses = List.copyOf(addresses);
        if ((mode == Mode.PATH) != namespacePath.isPresent()) {
            throw new IllegalArgumentException("a namespace path goes with mode PATH and only with it");
        }
    }

    public static Attachment host() {
        return new Attachment(Mode.HOST, Optional.empty(), List.of());
    }

    public static Attachment loopbackOnly() {
        return new Attachment(Mode.NEW, Optional.empty(), List.of());
    }
}
