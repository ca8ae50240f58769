package dev.tallyman.spi.storage;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Registers one storage driver with the host through {@link java.util.ServiceLoader}
 * (a {@code META-INF/services/dev.tallyman.spi.storage.StorageDriverProvider} entry). Keeps discovery and
 * configuration out of the driver itself.
 */
public interface StorageDriverProvider {

    /** The driver's name, as in configuration: {@code overlay2}. */
    String name();

    /**
     * The SPI version this provider was built against: {@code return SpiVersion.CURRENT;}, which javac copies
     * into the provider's class. The host refuses a provider that {@link dev.tallyman.spi.SpiVersion#runs} rejects.
     */
    String spiVersion();

    /** Why this host cannot run the driver with data under {@code root} (e.g. "overlay: d_type not supported on /x"), or empty when it can. */
    Optional<String> probe(Path root);

    /** Makes a driver keeping its data under {@code root}, with driver options from configuration. */
    StorageDriver create(Path root, Map<String, String> options);
}
