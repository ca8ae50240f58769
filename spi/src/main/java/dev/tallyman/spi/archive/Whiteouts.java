package dev.tallyman.spi.archive;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * How a driver records the deletions a layer tar carries ({@code .wh.<name>} and {@code .wh..wh..opq}).
 * A copying driver deletes; a stacking driver leaves markers for its file system to read.
 */
public interface Whiteouts {

    /** Hides {@code path} (a file or a whole directory of lower layers). The parent directory exists. */
    void whiteout(Path path) throws IOException;

    /**
     * Hides everything lower layers have inside directory {@code dir}, which exists. Entries the layer
     * itself already wrote there ({@code writtenByLayer} says which) must stay.
     */
    void opaque(Path dir, Predicate<Path> writtenByLayer) throws IOException;
}
