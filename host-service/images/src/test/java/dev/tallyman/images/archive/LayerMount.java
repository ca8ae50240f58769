package dev.tallyman.images.archive;

import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A driver layer mounted at a test folder, unmounted on close (tests use it in try-with-resources). */
final class LayerMount implements AutoCloseable {
    private final Path target;

    private LayerMount(Path target) {
        this.target = target;
    }

    /** Mounts as the driver describes it: read-write for a writable layer, as a container sees it. */
    static LayerMount asContainer(StorageDriver driver, LayerId layer, Path target) {
        try {
            Files.createDirectories(target);
            Mounts.mount(driver.mounts(layer), target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LayerMount(target);
    }

    /** Mounts read-only, the way export does. */
    static LayerMount readOnly(StorageDriver driver, LayerId layer, Path target) {
        try {
            Files.createDirectories(target);
            Mounts.mount(ContainerExporter.readOnly(driver.mounts(layer)), target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LayerMount(target);
    }

    Path root() {
        return target;
    }

    @Override
    public void close() {
        try {
            Mounts.unmount(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
