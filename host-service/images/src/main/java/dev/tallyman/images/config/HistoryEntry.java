package dev.tallyman.images.config;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One step that made an image, as {@code docker history} lists it.
 *
 * @param createdBy  the instruction, e.g. {@code /bin/sh -c #(nop)  CMD ["sh"]}; empty string for an import
 * @param comment    free text ({@code import -m}); empty string when none
 * @param author     who made the step; empty string when unknown
 * @param emptyLayer true when the step changed only the config and added no layer
 */
public record HistoryEntry(Optional<Instant> created, String createdBy, String comment, String author, boolean emptyLayer) {
    public HistoryEntry {
        Objects.requireNonNull(created, "created");
        createdBy = createdBy == null ? "" : createdBy;
        comment = comment == null ? "" : comment;
        author = author == null ? "" : author;
    }
}
