package dev.tallyman.host.commands.containers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The service's log driver and options (daemon.json's log-driver and log-opts), merged into a create as dockerd
 * merges them: no driver named means the default driver; when the container's driver is the default one, each
 * default option the container does not set itself is added.
 */
public record LogDefaults(String driver, Map<String, String> options) {
    public static final LogDefaults DOCKER = new LogDefaults("json-file", Map.of());

    public LogDefaults {
        options = Map.copyOf(options);
    }

    /** {@code key=value,key=value}, as the tallyman.log-opts property holds them (checked when daemon.json was read). */
    public static LogDefaults of(String driver, Optional<String> options) {
        Map<String, String> parsed = new LinkedHashMap<>();
        options.filter(o -> !o.isBlank()).ifPresent(text -> {
            for (String pair : text.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("invalid log option \"" + pair + "\": expected key=value");
                }
                parsed.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        });
        return new LogDefaults(driver, parsed);
    }

    /** The driver a container gets when it asks for {@code requested} (null or empty: none named). */
    public String driverFor(String requested) {
        return requested == null || requested.isEmpty() ? driver : requested;
    }

    /** The options a container with {@code requested} driver and {@code own} options runs with. */
    public Map<String, String> optionsFor(String requested, Map<String, String> own) {
        if (!driverFor(requested).equals(driver) || options.isEmpty()) {
            return own;
        }
        Map<String, String> merged = new LinkedHashMap<>(options);
        merged.putAll(own);
        return merged;
    }
}
