package dev.tallyman.spi.volume;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Registers one volume driver with the host through {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/dev.tallyman.spi.volume.VolumeDriverProvider} entry), keeping discovery and
 * configuration out of the driver.
 */
public interface VolumeDriverProvider {

    /** The driver's name: {@code local}. */
    String name();

    /** The SPI version this provider was built against: {@code return SpiVersion.CURRENT;} (see {@link dev.tallyman.spi.SpiVersion}). */
    String spiVersion();

    /** Why this host cannot run the driver with data under {@code root}, or empty when it can. */
    Optional<String> probe(Path root);

    /** Makes a driver keeping its volumes under {@code root}, with options from configuration. */
    VolumeDriver create(Path root, Map<String, String> options);
}
