package dev.tallyman.spi.network;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Registers one network driver through {@link java.util.ServiceLoader}; see {@link dev.tallyman.spi.storage.StorageDriverProvider}. */
public interface NetworkDriverProvider {

    /** The driver's name as {@code docker network create -d} takes it: {@code bridge}, {@code macvlan}. */
    String name();

    /** The SPI version this provider was built against: {@code return SpiVersion.CURRENT;} (see {@link dev.tallyman.spi.SpiVersion}). */
    String spiVersion();

    /** Why this host cannot run the driver, or empty when it can. */
    Optional<String> probe();

    /** Makes a driver keeping its state under {@code root}, with options from configuration. */
    NetworkDriver create(Path root, Map<String, String> options);
}
