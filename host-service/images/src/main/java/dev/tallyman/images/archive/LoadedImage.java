package dev.tallyman.images.archive;

import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.spi.storage.LayerId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One image of a {@code docker load}, stored: config blob, layer tars and driver layers are all in place.
 *
 * @param imageId   {@code sha256:} of the config bytes exactly as they were in the archive
 * @param diffIds   the config's diff ids, base first
 * @param layers    the storage driver's layer ids (chain ids), base first
 * @param sizeBytes bytes the image's layers take in the driver
 * @param created   the config's creation time; empty when the config does not say
 * @param config    the decoded config
 * @param tags      the archive's {@code RepoTags} for this image, normalized, in archive order; empty for an
 *                  image saved by id. The caller points them at the image: load itself names nothing.
 */
public record LoadedImage(Digest imageId, List<Digest> diffIds, List<LayerId> layers, long sizeBytes,
                          Optional<Instant> created, ImageConfig config, List<ImageReference> tags) {
    public LoadedImage {
        Objects.requireNonNull(imageId, "imageId");
        diffIds = List.copyOf(diffIds);
        layers = List.copyOf(layers);
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(config, "config");
        tags = List.copyOf(tags);
    }
}
