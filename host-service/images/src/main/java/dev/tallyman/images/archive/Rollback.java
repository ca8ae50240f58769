package dev.tallyman.images.archive;

import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one load or commit made so far (config blobs, layer tars, driver layers), so that a failure can take
 * back exactly that and nothing another image already had: no partial image, no orphan blob.
 */
final class Rollback {
    private final ImageStore images;
    private final StorageDriver driver;
    private final List<Digest> configs = new ArrayList<>();
    private final List<LayerId> layers = new ArrayList<>();
    private final List<Digest> tars = new ArrayList<>();

    Rollback(ImageStore images, StorageDriver driver) {
        this.images = images;
        this.driver = driver;
    }

    /** Keeps the spooled tar under its diff id (the spool file is moved away), remembering it when new. */
    void keepLayerTar(Path spool, Digest diffId) {
        boolean isNew = !images.hasLayerTar(diffId);
        images.putLayerTar(spool, diffId);
        if (isNew) {
            tars.add(diffId);
        }
    }

    /** Stores config bytes as received, remembering the blob when new; returns the image id. */
    Digest keepConfig(byte[] json) {
        boolean isNew = !images.exists(Digest.sha256(json));
        Digest id = images.putBytes(json);
        if (isNew) {
            configs.add(id);
        }
        return id;
    }

    /**
     * Applies the kept tar of {@code diffId} as layer {@code layer} over {@code parent} unless the driver
     * has that layer already (same chain id: same content); remembers the layer when it made it.
     */
    void applyUnlessPresent(String operation, LayerId layer, Optional<LayerId> parent, Digest diffId) {
        if (driver.inspect(layer).isPresent()) {
            return;
        }
        try (InputStream tar = images.layerTar(diffId)) {
            driver.applyLayer(layer, parent, tar);
            layers.add(layer);
        } catch (DriverException e) {
            if (e.kind() != DriverException.Kind.ALREADY_EXISTS) {
                throw LayerFailures.apply(operation, layer, e); // lost race otherwise: the other's layer is ours too
            }
        } catch (IOException e) {
            throw new UncheckedIOException(operation + ": read layer tar " + diffId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes back everything remembered: configs first, so that no image ever names a missing layer, then
     * layers top first, then tars. A cleanup failure is added to {@code failure}.
     */
    void undo(Throwable failure) {
        configs.forEach(id -> attempt(failure, () -> images.content().delete(id)));
        for (int i = layers.size() - 1; i >= 0; i--) {
            LayerId layer = layers.get(i);
            attempt(failure, () -> driver.remove(layer));
        }
        tars.forEach(id -> attempt(failure, () -> images.content().delete(id)));
    }

    private static void attempt(Throwable failure, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
