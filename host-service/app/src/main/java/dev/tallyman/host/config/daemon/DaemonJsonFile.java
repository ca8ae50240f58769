package dev.tallyman.host.config.daemon;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Which daemon.json the service runs with: {@code TALLYMAN_CONFIG_FILE} (or the system property
 * {@code tallyman.config-file}) when set, else {@link DaemonJson#DEFAULT_FILE}. Read once, by the service's
 * main, before Quarkus builds its configuration.
 */
public final class DaemonJsonFile {
    private static volatile DaemonJson active;

    private DaemonJsonFile() {
    }

    /** Reads and checks the file the environment names; throws {@link DaemonJsonException} naming the bad key. */
    public static DaemonJson activate(Map<String, String> env) {
        String named = System.getProperty("tallyman.config-file", env.get("TALLYMAN_CONFIG_FILE"));
        DaemonJson read = named == null || named.isEmpty()
                ? DaemonJson.read(DaemonJson.DEFAULT_FILE, false)
                : DaemonJson.read(Path.of(named), true);
        active = read;
        return read;
    }

    /** The file read at start, if the service's main read one (empty at build time and in unit tests). */
    public static Optional<DaemonJson> active() {
        return Optional.ofNullable(active);
    }
}
