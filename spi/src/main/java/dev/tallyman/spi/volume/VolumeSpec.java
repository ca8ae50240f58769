package dev.tallyman.spi.volume;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A volume asked for: its name and the driver's options ({@code docker volume create -o type=tmpfs}).
 * Labels are the host's business and do not reach the driver.
 */
public record VolumeSpec(String name, Map<String, String> options) {
    /** Docker's rule for volume names: a letter or digit, then letters, digits, '_', '.' or '-'. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

    public VolumeSpec {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid volume name: " + name);
        }
        options = Map.copyOf(options);
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
