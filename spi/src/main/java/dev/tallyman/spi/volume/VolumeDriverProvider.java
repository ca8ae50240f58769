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

    /** The SPI version of this interface; the host leaves out providers that report another one. */
    int SPI_VERSION = 1;

    /** The driver's name: {@code local}. */
    String name();

    /** The SPI version the provider was built against: return {@link #SPI_VERSION} as compiled into the driver. */
    int spiVersion();

    /** Why this host cannot run the driver with data under {@code root}, or empty when it can. */
    Optional<String> probe(Path root);

    /** Makes a driver keeping its volumes under {@code root}, with options from configuration. */
    VolumeDriver create(Path root, Map<String, String> options);
}
