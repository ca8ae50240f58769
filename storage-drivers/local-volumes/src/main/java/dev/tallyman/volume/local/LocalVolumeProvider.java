package dev.tallyman.volume.local;

import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeDriverProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Registers the {@code local} volume driver. */
public final class LocalVolumeProvider implements VolumeDriverProvider {

    @Override
    public String name() {
        return LocalVolumeDriver.NAME;
    }

    @Override
    public String spiVersion() {
        return dev.tallyman.spi.SpiVersion.CURRENT;
    }

    @Override
    public Optional<String> probe(Path root) {
        try {
            Files.createDirectories(root);
            return Files.isWritable(root) ? Optional.empty() : Optional.of("local: " + root + " is not writable");
        } catch (IOException e) {
            return Optional.of("local: create " + root + ": " + e.getMessage());
        }
    }

    @Override
    public VolumeDriver create(Path root, Map<String, String> options) {
        return new LocalVolumeDriver(new LocalVolumeConfig(root));
    }
}
