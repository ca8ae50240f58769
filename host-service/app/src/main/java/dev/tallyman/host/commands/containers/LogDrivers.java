package dev.tallyman.host.commands.containers;

import dev.tallyman.host.commands.EngineException;
import java.util.Set;

/**
 * The log drivers a container can be created with: json-file (Tallyman's own, what docker logs reads) and none.
 * Any other name is refused at create as Docker refuses a driver that is not registered with its daemon.
 */
final class LogDrivers {
    private static final Set<String> REGISTERED = Set.of("json-file", "none");

    private LogDrivers() {
    }

    static void validate(String driver) {
        if (!REGISTERED.contains(driver)) {
            throw EngineException.invalid("logger: no log driver named '" + driver + "' is registered");
        }
    }
}
