package dev.tallyman.images.registry;

import dev.tallyman.images.config.Platform;
import dev.tallyman.images.reference.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * A reference to content in a manifest or index (OCI image-spec {@code descriptor.md}).
 *
 * @param mediaType what the content is
 * @param digest    its digest
 * @param size      its length in bytes
 * @param platform  for an index entry, the platform the manifest is for
 * @param variant   for an index entry, the CPU variant ({@code v8}); empty when none
 */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform, String variant) {
    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("descriptor " + digest + ": negative size");
        }
        Objects.requireNonNull(platform, "platform");
        variant = variant == null ? "" : variant;
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, Optional.empty(), "");
    }
}
