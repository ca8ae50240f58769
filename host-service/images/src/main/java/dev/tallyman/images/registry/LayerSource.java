package dev.tallyman.images.registry;

import dev.tallyman.images.reference.Digest;
import java.util.Objects;

/**
 * A compressed blob a layer is known to have come from or gone to: a pull recorded it, or a push uploaded it.
 * Push asks the target registry for it before uploading the layer again.
 *
 * @param digest     the compressed blob's digest
 * @param size       its length in bytes
 * @param mediaType  its layer media type
 * @param repository the repository it was seen in, {@code host[:port]/path}
 */
public record LayerSource(Digest digest, long size, String mediaType, String repository) {
    public LayerSource {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(repository, "repository");
        if (mediaType.contains(" ") || repository.contains(" ") || mediaType.isEmpty() || repository.isEmpty()) {
            throw new IllegalArgumentException("layer source " + digest + ": media type and repository must be single words");
        }
    }

    String line() {
        return digest + " " + size + " " + mediaType + " " + repository;
    }

    static LayerSource parse(String line) {
        String[] parts = line.trim().split(" ");
        if (parts.length != 4) {
            throw new IllegalArgumentException("layer source: malformed line");
        }
        return new LayerSource(Digest.parse(parts[0]), Long.parseLong(parts[1]), parts[2], parts[3]);
    }
}
