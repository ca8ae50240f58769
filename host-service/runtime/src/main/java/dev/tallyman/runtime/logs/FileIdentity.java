package dev.tallyman.runtime.logs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/** A file's inode number: how a reader tells "renamed away and replaced" from "still the same file". */
final class FileIdentity {
    private FileIdentity() {
    }

    static OptionalLong inode(Path file) {
        try {
            return OptionalLong.of(((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS))
                    .longValue());
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("stat " + file + ": " + e.getMessage(), e);
        }
    }
}
