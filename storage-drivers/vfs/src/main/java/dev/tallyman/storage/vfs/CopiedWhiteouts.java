package dev.tallyman.storage.vfs;

import dev.tallyman.spi.archive.FileTrees;
import dev.tallyman.spi.archive.Whiteouts;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/** A vfs layer holds a full copy of its parent, so a whiteout simply deletes from that copy. */
final class CopiedWhiteouts implements Whiteouts {

    @Override
    public void whiteout(Path path) throws IOException {
        FileTrees.delete(path);
    }

    @Override
    public void opaque(Path dir, Predicate<Path> writtenByLayer) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                if (!writtenByLayer.test(child)) {
                    FileTrees.delete(child);
                }
            }
        }
    }
}
