package dev.tallyman.host.commands.images;

import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.images.reference.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The first image of a fresh machine (issue 13, "the first minute"): {@code tallyman.seed-image=busybox:latest=<tar>}
 * imports the rootfs tar under that name at start when the store has no image of the name. Tallyman does it
 * itself, before the socket answers, so the record shows the import by the system actor {@code seed} (no client
 * asked for it: the operator's configuration did) and the first {@code docker run busybox} never races it.
 * An image of that name already there, removed or replaced by a user later, is never touched again.
 *
 * @param reference the name to import as
 * @param tar the rootfs tar (ops/lib/busybox-rootfs makes it from the host's busybox-static)
 */
public record SeedImage(ImageReference reference, Path tar) {
    private static final Logger LOG = Logger.getLogger(SeedImage.class);

    /** {@code <name>=<absolute path of a tar>}; names the bad text when it throws. */
    public static SeedImage parse(String text) {
        int eq = text.lastIndexOf('=');
        if (eq <= 0 || !text.substring(eq + 1).startsWith("/")) {
            throw new IllegalArgumentException("invalid seed image \"" + text + "\": expected <name>=<absolute path of a tar>");
        }
        return new SeedImage(ImageLookup.parse(text.substring(0, eq)), Path.of(text.substring(eq + 1)));
    }

    /** Imports the tar unless an image of the name exists; a failed import is on the record and stops the start. */
    public void importIfMissing(ImageLookup lookup, ImportImageHandler importer, Journal journal) throws Exception {
        if (lookup.find(reference.toString()).isPresent()) {
            return;
        }
        if (!Files.isRegularFile(tar)) {
            throw new IOException("seed image " + reference + ": no such file " + tar);
        }
        CommandContext context = CommandContext.system("seed");
        journal.command(() -> {
            try (InputStream in = Files.newInputStream(tar)) {
                importer.handle(in, Optional.of(reference), "-", List.of(), "seeded from " + tar, context);
            }
        });
        LOG.infof("seed image %s imported from %s", reference, tar);
    }
}
