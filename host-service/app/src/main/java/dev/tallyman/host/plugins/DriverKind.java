package dev.tallyman.host.plugins;

import dev.tallyman.spi.network.NetworkDriverProvider;
import dev.tallyman.spi.storage.StorageDriverProvider;
import dev.tallyman.spi.volume.VolumeDriverProvider;

/** The three kinds of driver a jar can provide, each found by its own ServiceLoader interface. */
public enum DriverKind {
    STORAGE("storage", StorageDriverProvider.class),
    NETWORK("network", NetworkDriverProvider.class),
    VOLUME("volume", VolumeDriverProvider.class);

    private final String label;
    private final Class<?> service;

    DriverKind(String label, Class<?> service) {
        this.label = label;
        this.service = service;
    }

    /** As the record and {@code /tallyman/v1/drivers} write it: {@code storage}, {@code network}, {@code volume}. */
    public String label() {
        return label;
    }

    Class<?> service() {
        return service;
    }

    /** The provider's name and SPI version, whatever its kind. */
    String nameOf(Object provider) {
        if (provider instanceof StorageDriverProvider p) {
            return p.name();
        } else if (provider instanceof NetworkDriverProvider p) {
            return p.name();
        } else if (provider instanceof VolumeDriverProvider p) {
            return p.name();
        }
        throw new IllegalArgumentException("not a driver provider: " + provider.getClass().getName());
    }

    String spiVersionOf(Object provider) {
        if (provider instanceof StorageDriverProvider p) {
            return p.spiVersion();
        } else if (provider instanceof NetworkDriverProvider p) {
            return p.spiVersion();
        } else if (provider instanceof VolumeDriverProvider p) {
            return p.spiVersion();
        }
        throw new IllegalArgumentException("not a driver provider: " + provider.getClass().getName());
    }
}
