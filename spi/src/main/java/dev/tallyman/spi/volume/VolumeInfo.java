package dev.tallyman.spi.volume;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * One volume as the driver keeps it.
 *
 * @param mountpoint the host path holding the data, which the host binds into containers
 * @param options the driver options it was created with
 * @param createdAt when the driver created it
 */
public record VolumeInfo(String name, Path mountpoint, Map<String, String> options, Instant createdAt) {
    public VolumeInfo {
        options = Map.copyOf(options);
    }
}
