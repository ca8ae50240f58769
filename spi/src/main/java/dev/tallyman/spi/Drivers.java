package dev.tallyman.spi;

import dev.tallyman.spi.network.NetworkDriverProvider;
import dev.tallyman.spi.storage.StorageDriverProvider;
import dev.tallyman.spi.volume.VolumeDriverProvider;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds driver providers with {@link ServiceLoader} in one class loader, keeping those this SPI's
 * {@link SpiVersion#runs compatibility rule} accepts. The host loads plugin jars with more care (one class loader
 * per jar, every refusal named and recorded); this is for tests and tools that only want the drivers that run.
 */
public final class Drivers {
    private Drivers() {
    }

    public static List<StorageDriverProvider> storage(ClassLoader loader) {
        return ServiceLoader.load(StorageDriverProvider.class, loader).stream().map(ServiceLoader.Provider::get)
                .filter(p -> runs(p.spiVersion())).toList();
    }

    public static List<NetworkDriverProvider> network(ClassLoader loader) {
        return ServiceLoader.load(NetworkDriverProvider.class, loader).stream().map(ServiceLoader.Provider::get)
                .filter(p -> runs(p.spiVersion())).toList();
    }

    public static List<VolumeDriverProvider> volume(ClassLoader loader) {
        return ServiceLoader.load(VolumeDriverProvider.class, loader).stream().map(ServiceLoader.Provider::get)
                .filter(p -> runs(p.spiVersion())).toList();
    }

    public static Optional<StorageDriverProvider> storage(ClassLoader loader, String name) {
        return storage(loader).stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public static Optional<NetworkDriverProvider> network(ClassLoader loader, String name) {
        return network(loader).stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static boolean runs(String version) {
        try {
            return SpiVersion.host().runs(SpiVersion.parse(version));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
