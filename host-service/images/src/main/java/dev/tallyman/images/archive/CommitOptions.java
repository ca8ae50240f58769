package dev.tallyman.images.archive;

import dev.tallyman.images.config.ContainerConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@code docker commit} makes the image.
 *
 * @param author          {@code -a}: kept as the config's author and the new history entry's; empty for none
 * @param comment         {@code -m}: kept as the config's comment and the new history entry's; empty for none
 * @param changes         {@code -c}: Dockerfile instructions applied after the base config (see
 *                        {@link dev.tallyman.images.config.ConfigChanges})
 * @param containerConfig the container's own config (its cmd, env, entrypoint, … as it was created), which
 *                        becomes the image's, as Docker does; empty to keep the parent image's config
 * @param pause           {@code -p}: whether the caller pauses the container meanwhile; the committer
 *                        itself does not look at it (pausing is the runtime's business)
 */
public record CommitOptions(String author, String comment, List<String> changes,
                            Optional<ContainerConfig> containerConfig, boolean pause) {
    public CommitOptions {
        author = author == null ? "" : author;
        comment = comment == null ? "" : comment;
        changes = List.copyOf(changes);
        Objects.requireNonNull(containerConfig, "containerConfig");
    }

    /** No author, comment or changes; the parent's config; paused, as Docker's default. */
    public static CommitOptions defaults() {
        return new CommitOptions("", "", List.of(), Optional.empty(), true);
    }
}
