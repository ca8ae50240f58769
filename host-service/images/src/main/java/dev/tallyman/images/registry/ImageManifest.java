package dev.tallyman.images.registry;

import dev.tallyman.images.reference.Digest;
import java.util.List;
import java.util.Objects;

/**
 * A Docker schema 2 or OCI image manifest: the image config blob and the layer blobs, base layer first.
 *
 * @param bytes the exact document, whose sha256 is {@code digest}
 */
public record ImageManifest(String mediaType, Digest digest, Descriptor config, List<Descriptor> layers, byte[] bytes)
        implements RemoteManifest {
    public ImageManifest {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }
}
