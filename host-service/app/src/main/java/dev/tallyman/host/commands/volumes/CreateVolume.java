package dev.tallyman.host.commands.volumes;

import java.util.Map;
import java.util.Optional;

/**
 * docker volume create, and a volume a container asks for that does not exist yet.
 *
 * @param name empty for a generated one
 * @param driver "" for the default ({@code local})
 */
public record CreateVolume(Optional<String> name, String driver, Map<String, String> options, Map<String, String> labels) {
    public CreateVolume {
        driver = driver == null ? "" : driver;
        options = Map.copyOf(options);
        labels = Map.copyOf(labels);
    }
}
