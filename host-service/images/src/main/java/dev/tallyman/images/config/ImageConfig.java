package dev.tallyman.images.config;

import dev.tallyman.images.reference.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an image says about itself: the OCI image config, as a value. Its JSON form is stored as a blob and the
 * sha256 of those exact bytes is the image id ({@link ImageConfigCodec}).
 *
 * @param architecture CPU architecture, e.g. {@code amd64}
 * @param os           operating system, e.g. {@code linux}
 * @param created      when the image was made; empty when the config does not say
 * @param author       who made it ({@code MAINTAINER}, {@code commit --author}); empty string when unknown
 * @param comment      Docker's top-level comment ({@code import -m}, {@code commit -m}); empty string when none
 * @param config       how a container of this image runs by default
 * @param diffIds      sha256 of each layer's uncompressed tar, base layer first
 * @param history      one entry per build step, layer-less steps marked {@link HistoryEntry#emptyLayer()}
 */
public record ImageConfig(
        String architecture,
        String os,
        Optional<Instant> created,
        String author,
        String comment,
        ContainerConfig config,
        List<Digest> diffIds,
        List<HistoryEntry> history) {

    public ImageConfig {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(created, "created");
        author = author == null ? "" : author;
        comment = comment == null ? "" : comment;
        Objects.requireNonNull(config, "config");
        diffIds = List.copyOf(diffIds);
        history = List.copyOf(history);
    }

    /** The chain ids of the layers, base first: the driver's {@link dev.tallyman.spi.storage.LayerId}s come from these. */
    public List<Digest> chainIds() {
        return ChainIds.of(diffIds);
    }
}
