package dev.tallyman.spi.storage;

import dev.tallyman.spi.DriverException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Keeps layers: read-only image layers made from tar streams, and writable container layers on top of them.
 *
 * <p>Vocabulary. A <em>layer</em> is a directory tree known by a {@link LayerId} and, except for a base
 * layer, stacked on exactly one parent. An image layer is filled once by {@link #applyLayer} and never
 * changes afterwards; a writable layer starts empty over its parent and records a container's changes.
 * The driver owns everything under its root folder and nothing outside it, except the mount points it is
 * handed. The driver is safe for concurrent use on different ids.
 *
 * <p>Failures are {@link DriverException}s whose {@link DriverException.Kind} says what went wrong.
 */
public interface StorageDriver {

    /** The driver's name as users write it in configuration and see it in inspect: {@code overlay2}, {@code vfs}. */
    String name();

    /**
     * Creates image layer {@code id} over {@code parent} (empty: a base layer) from an uncompressed tar
     * stream, applying whiteouts and refusing entries that would land outside the layer.
     * An existing id fails with ALREADY_EXISTS, an unknown parent with NOT_FOUND; a failure leaves no layer.
     *
     * @return the layer's diff id (sha256 of the tar as read) and its size on disk
     */
    LayerInfo applyLayer(LayerId id, Optional<LayerId> parent, InputStream tar);

    /**
     * Creates an empty writable layer {@code id} over {@code parent}, for a container's root filesystem.
     * An existing id fails with ALREADY_EXISTS, an unknown parent with NOT_FOUND.
     */
    void createWritable(LayerId id, Optional<LayerId> parent);

    /**
     * Describes the mounts that show layer {@code id} with all its parents, read-write, at a target folder.
     * Nothing is mounted yet: {@link dev.tallyman.spi.linux.Mounts} performs the description. Unknown id: NOT_FOUND.
     */
    List<MountSpec> mounts(LayerId id);

    /**
     * Writes the changes of layer {@code id} against its parent as a tar stream in the image-layer format
     * (deletions as {@code .wh.} whiteouts). The layer should not be mounted for writing meanwhile.
     */
    void diff(LayerId id, OutputStream tar);

    /** The changes of layer {@code id} against its parent, as docker diff lists them. */
    List<Change> changes(LayerId id);

    /**
     * Removes layer {@code id} and its data. Absent id: nothing happens (a repeat is safe).
     * A layer that is still the parent of another fails with IN_USE.
     */
    void remove(LayerId id);

    /** Facts about an existing layer, or empty when the driver has no such layer. */
    Optional<LayerInfo> inspect(LayerId id);

    /** Every layer the driver holds, in no particular order. */
    List<LayerId> list();
}
