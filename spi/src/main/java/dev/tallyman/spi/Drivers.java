package dev.tallyman.spi;

import dev.tallyman.spi.network.NetworkDriverProvider;
import dev.tallyman.spi.storage.StorageDriverProvider;
import dev.tallyman.spi.volume.VolumeDriverProvider;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds driver providers with {@link ServiceLoader} in a class loader (the host's, or one over the plugin
 * folder's jars). Providers built against another SPI version are left out.
 */
public final class Drivers {
    private Drivers() {
    }

    public static List<StorageDriverProvider> storage(ClassLoader loader) {
        return ServiceLoader.load(StorageDriverProvider.class, loader).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.spiVersion() == StorageDriverProvider.SPI_VERSION)
                .toList();
    }

    public static List<NetworkDriverProvider> network(ClassLoader loader) {
        return ServiceLoader.load(NetworkDriverProvider.class, loader).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.spiVersion() == NetworkDriverProvider.SPI_VERSION)
                .toList();
    }

    public static Optional<StorageDriverProvider> storage(ClassLoader loader, String name) {
        return storage(loader).stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public static Optional<NetworkDriverProvider> network(ClassLoader loader, String name) {
        return network(loader).stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public static List<VolumeDriverProvider> volume(ClassLoader loader) {
        return ServiceLoader.load(VolumeDriverProvider.class, loader).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.spiVersion() == VolumeDriverProvider.SPI_VERSION)
                .toList();
    }
}
