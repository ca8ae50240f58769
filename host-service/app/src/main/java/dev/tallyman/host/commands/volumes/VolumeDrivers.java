package dev.tallyman.host.commands.volumes;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.volume.VolumeDriver;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** The volume drivers this host runs, by name; {@code local} is the default. */
public final class VolumeDrivers {
    public static final String DEFAULT = "local";

    private final Map<String, VolumeDriver> byName;

    public VolumeDrivers(Map<String, VolumeDriver> byName) {
        this.byName = Map.copyOf(byName);
    }

    public Optional<VolumeDriver> find(String name) {
        return Optional.ofNullable(byName.get(name == null || name.isEmpty() ? DEFAULT : name));
    }

    /** The driver, or Docker's 404 naming the plugin that is missing. */
    public VolumeDriver require(String volume, String name) {
        String wanted = name == null || name.isEmpty() ? DEFAULT : name;
        return find(wanted).orElseThrow(() -> EngineException.notFound(
                "create " + volume + ": error looking up volume plugin " + wanted + ": plugin \"" + wanted + "\" not found"));
    }

    public Collection<VolumeDriver> all() {
        return byName.values();
    }

    /** The cause alone, without the driver's "name: operation object: " prefix, for messages in Docker's words. */
    public static String causeOf(DriverException e) {
        String prefix = e.driver() + ": " + e.operation() + " " + e.objectId() + ": ";
        String message = String.valueOf(e.getMessage());
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
