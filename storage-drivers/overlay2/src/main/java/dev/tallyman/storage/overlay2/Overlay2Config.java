package dev.tallyman.storage.overlay2;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of an {@link Overlay2Driver}.
 *
 * @param root folder the driver owns (created when missing); must be on a file system with d_type that
 *     overlayfs accepts as upper dir (ext4, xfs with ftype=1), never on overlayfs itself
 */
public record Overlay2Config(Path root) {
    public Overlay2Config {
        root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }
}
