package dev.tallyman.images.registry;

import dev.tallyman.images.config.Platform;
import dev.tallyman.images.reference.Digest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A Docker manifest list or OCI image index: one manifest per platform. */
public record ManifestIndex(String mediaType, Digest digest, List<Descriptor> manifests) implements RemoteManifest {
    public ManifestIndex {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        manifests = List.copyOf(manifests);
    }

    /**
     * The entry for {@code platform}: the first image manifest whose os and architecture match. Entries without a
     * platform (attestations, artifacts) and nested indexes are never chosen.
     */
    public Optional<Descriptor> select(Platform platform) {
        return manifests.stream()
                .filter(d -> MediaTypes.IMAGE_MANIFESTS.contains(d.mediaType()))
                .filter(d -> d.platform().filter(p -> p.os().equals(platform.os())
                        && p.architecture().equals(platform.architecture())).isPresent())
                .findFirst();
    }
}
