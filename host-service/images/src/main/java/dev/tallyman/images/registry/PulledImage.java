package dev.tallyman.images.registry;

import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.spi.storage.LayerId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a pull.
 *
 * @param imageId        {@code sha256:} of the config blob as received
 * @param diffIds        the layers' diff ids, base first
 * @param layers         the storage driver's layer ids (chain ids), base first
 * @param sizeBytes      bytes the image's layers take in the driver
 * @param created        the config's creation time, when it has one
 * @param config         the decoded config
 * @param manifestDigest digest of the document the reference resolved to: the index for a multi-platform image,
 *                       else the image manifest; Docker prints it as {@code Digest: sha256:...}
 * @param repoDigest     {@code <repository>@<manifestDigest>}; {@code familiar()} gives Docker's RepoDigests entry
 * @param upToDate       whether the image was already here before the pull (Docker: "Image is up to date")
 */
public record PulledImage(Digest imageId, List<Digest> diffIds, List<LayerId> layers, long sizeBytes,
                          Optional<Instant> created, ImageConfig config, Digest manifestDigest,
                          ImageReference repoDigest, boolean upToDate) {
    public PulledImage {
        Objects.requireNonNull(imageId, "imageId");
        diffIds = List.copyOf(diffIds);
        layers = List.copyOf(layers);
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(repoDigest, "repoDigest");
    }
}
