package dev.tallyman.storage.overlay2;

import dev.tallyman.spi.archive.FileTrees;
import dev.tallyman.spi.archive.Whiteouts;
import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PosixFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Whiteouts as overlayfs reads them in a lower or upper dir
 * (Documentation/filesystems/overlayfs.rst, "whiteouts and opaque directories"): a deleted path is a
 * character device 0/0, a directory hiding its lower contents carries {@code trusted.overlay.opaque=y}.
 */
final class OverlayWhiteouts implements Whiteouts {
    static final String OPAQUE_XATTR = "trusted.overlay.opaque";
    private static final byte[] YES = "y".getBytes(StandardCharsets.US_ASCII);

    @Override
    public void whiteout(Path path) throws IOException {
        FileTrees.delete(path);
        PosixFiles.mknod(path, FileStat.S_IFCHR, 0, 0, 0);
    }

    @Override
    public void opaque(Path dir, Predicate<Path> writtenByLayer) throws IOException {
        // The layer's own entries in dir stay visible: opacity only hides the lower layers.
        PosixFiles.setXattr(dir, OPAQUE_XATTR, YES);
    }

    static boolean isOpaque(Path dir) throws IOException {
        return PosixFiles.getXattr(dir, OPAQUE_XATTR).map(v -> Arrays.equals(v, YES)).orElse(false);
    }
}
