package dev.tallyman.storage.vfs;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.storage.StorageDriver;
import dev.tallyman.spi.storage.StorageDriverProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Registers {@link VfsDriver} as {@code vfs}. It takes no driver options and runs on any host. */
public final class VfsProvider implements StorageDriverProvider {

    @Override
    public String spiVersion() {
        return dev.tallyman.spi.SpiVersion.CURRENT;
    }

    @Override
    public String name() {
        return VfsDriver.NAME;
    }

    @Override
    public Optional<String> probe(Path root) {
        return Optional.empty();
    }

    @Override
    public StorageDriver create(Path root, Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new DriverException(DriverException.Kind.INVALID_ARGUMENT, VfsDriver.NAME, "create driver",
                    root.toString(), "unknown options " + options.keySet());
        }
        return new VfsDriver(new VfsConfig(root));
    }
}
