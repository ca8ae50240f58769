package dev.tallyman.storage.vfs;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of a {@link VfsDriver}.
 *
 * @param root folder the driver owns (created when missing); any file system that keeps owners and modes
 */
public record VfsConfig(Path root) {
    public VfsConfig {
        root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }
}
