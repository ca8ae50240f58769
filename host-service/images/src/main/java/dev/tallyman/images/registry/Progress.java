package dev.tallyman.images.registry;

import java.util.Objects;

/**
 * One line of pull or push progress, shaped like Docker's JSON message so the API can write it as
 * {@code {"status","id","progressDetail":{"current","total"},"progress"}} and the CLI draws its bars.
 *
 * @param id      what the line is about: a layer's 12-character short id, a tag ({@code latest: Pulling from ...});
 *                empty for lines about the whole image ({@code Digest: sha256:...})
 * @param status  Docker's words: {@code Pulling fs layer}, {@code Downloading}, {@code Pull complete}, ...
 * @param current bytes done so far; 0 with {@code total} 0 when the line has no progress detail
 * @param total   bytes in all; 0 when unknown or when the line has no progress detail
 */
public record Progress(String id, String status, long current, long total) {
    public Progress {
        id = id == null ? "" : id;
        Objects.requireNonNull(status, "status");
    }

    /** A line without progress detail. */
    public static Progress of(String id, String status) {
        return new Progress(id, status, 0, 0);
    }

    /** A line about the whole operation, without id. */
    public static Progress message(String status) {
        return new Progress("", status, 0, 0);
    }

    /** Whether the line carries a current/total detail, which Docker renders as a progress bar. */
    public boolean hasDetail() {
        return current > 0 || total > 0;
    }
}
