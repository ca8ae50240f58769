package dev.tallyman.images.archive;

import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.spi.storage.LayerId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@code docker import} or {@code docker commit}: an image this host just made.
 *
 * @param imageId   {@code sha256:} of the config blob
 * @param diffIds   the image's diff ids, base first (import: its one diff id)
 * @param layers    the storage driver's layer ids, base first
 * @param sizeBytes bytes the image's layers take in the driver
 * @param created   the config's creation time, from the importer's or committer's clock
 * @param config    the config that was stored
 */
public record ImportedImage(Digest imageId, List<Digest> diffIds, List<LayerId> layers, long sizeBytes, Instant created,
                            ImageConfig config) {
    public ImportedImage {
        Objects.requireNonNull(imageId, "imageId");
        diffIds = List.copyOf(diffIds);
        layers = List.copyOf(layers);
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(config, "config");
    }
}
