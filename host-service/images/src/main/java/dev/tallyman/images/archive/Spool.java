package dev.tallyman.images.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Scratch files and folders for tars on their way into the stores; whoever makes one deletes it. */
final class Spool {
    private Spool() {
    }

    static Path file(Path scratch, String operation, String prefix) {
        try {
            Files.createDirectories(scratch);
            return Files.createTempFile(scratch, prefix, ".tar");
        } catch (IOException e) {
            throw new UncheckedIOException(operation + ": create spool in " + scratch + ": " + e.getMessage(), e);
        }
    }

    static Path folder(Path scratch, String operation, String prefix) {
        try {
            Files.createDirectories(scratch);
            return Files.createTempDirectory(scratch, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(operation + ": create folder in " + scratch + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a spool file or folder (not following symlinks); a failure is added to {@code failure} when there is one, else thrown. */
    static void delete(Path path, String operation, Throwable failure) {
        try {
            dev.tallyman.spi.archive.FileTrees.delete(path);
        } catch (IOException e) {
            UncheckedIOException wrapped = new UncheckedIOException(operation + ": remove spool " + path + ": " + e.getMessage(), e);
            if (failure == null) {
                throw wrapped;
            }
            failure.addSuppressed(wrapped);
        }
    }
}
