package dev.tallyman.spi.storage;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.DriverException.Kind;
import dev.tallyman.spi.archive.FileTrees;
import dev.tallyman.spi.archive.InvalidLayerException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The layers a storage driver keeps under one folder, for driver authors: each complete layer is a folder
 * {@code <layers>/<id>/} holding its {@link LayerRecord}, whatever else the driver puts there.
 *
 * <p>{@link #make} reserves the new layer's id with its parent, lets the driver fill the folder outside any
 * lock, then writes the record and shows the layer, or on failure deletes the folder. While reserved, neither
 * the id nor the parent can be taken by another call, so the {@link StorageDriver} contract holds under
 * concurrent use. One lock guards the complete layers and the reservations; no file work is done under it
 * except the short steps named below. Failures are {@link DriverException}s under the driver's name.
 */
public final class LayerTable {
    private final String driver;
    private final Path layersDir;
    private final Object lock = new Object();
    /** Complete layers. Guarded by lock. */
    private final Map<LayerId, LayerRecord> layers = new HashMap<>();
    /** Reserved ids with their parent. Guarded by lock. */
    private final Map<LayerId, Optional<LayerId>> pending = new HashMap<>();

    private LayerTable(String driver, Path layersDir) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.layersDir = Objects.requireNonNull(layersDir, "layersDir");
    }

    /**
     * Opens the layers kept in {@code layersDir}, creating the folder if needed. Reads every complete layer
     * and deletes what a crash left: folders of applies that never wrote their record, and folders of
     * removals cut short (their names start with a dot, which a layer id never does). One table owns a folder
     * at a time.
     *
     * @param driver the driver's name, for error messages
     */
    public static LayerTable open(String driver, Path layersDir) throws IOException {
        LayerTable table = new LayerTable(driver, layersDir);
        Files.createDirectories(layersDir);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layersDir)) {
            for (Path dir : entries) {
                String name = dir.getFileName().toString();
                if (name.startsWith(".") || !Files.exists(dir.resolve(LayerRecord.FILE), LinkOption.NOFOLLOW_LINKS)) {
                    FileTrees.delete(dir);
                    continue;
                }
                LayerRecord layer = LayerRecord.read(LayerId.of(name), dir);
                table.layers.put(layer.id(), layer);
            }
        }
        return table;
    }

    /** The folder of layer {@code id}, whether or not the layer exists. */
    public Path dir(LayerId id) {
        return layersDir.resolve(id.value());
    }

    /** The complete layer {@code id}, or empty while it is absent or still being made. */
    public Optional<LayerRecord> find(LayerId id) {
        synchronized (lock) {
            return Optional.ofNullable(layers.get(id));
        }
    }

    /** The complete layer {@code id}; fails with NOT_FOUND ({@code no such layer}) naming {@code operation}. */
    public LayerRecord require(LayerId id, String operation) {
        synchronized (lock) {
            LayerRecord layer = layers.get(id);
            if (layer == null) {
                throw new DriverException(Kind.NOT_FOUND, driver, operation, id.value(), "no such layer");
            }
            return layer;
        }
    }

    /**
     * Layer {@code id} followed by its parent, the parent's parent and so on down to the base layer, read at
     * one moment. Fails like {@link #require}. A parent outlives its children, so the whole stack is complete.
     */
    public List<LayerRecord> stack(LayerId id, String operation) {
        synchronized (lock) {
            List<LayerRecord> stack = new ArrayList<>();
            stack.add(require(id, operation));
            for (Optional<LayerId> p = stack.get(0).parent(); p.isPresent(); p = layers.get(p.get()).parent()) {
                stack.add(layers.get(p.get()));
            }
            return stack;
        }
    }

    /**
     * Facts about layer {@code id} as {@link StorageDriver#inspect} returns them, or empty while the layer is
     * absent or still being made. An image layer's size is the one recorded when it was applied; a writable
     * layer's comes from {@code measure}, called outside the lock, whose IOException becomes a SYSTEM failure.
     */
    public Optional<LayerInfo> inspect(LayerId id, WritableMeasure measure) {
        Optional<LayerRecord> found = find(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        LayerRecord layer = found.get();
        if (!layer.writable()) {
            return Optional.of(layer.info(layer.sizeBytes()));
        }
        try {
            return Optional.of(layer.info(measure.ownBytes(layer)));
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, driver, "inspect layer", id.value(), e);
        }
    }

    /** The ids of every complete layer, in no particular order. */
    public List<LayerId> ids() {
        synchronized (lock) {
            return List.copyOf(layers.keySet());
        }
    }

    /** Every complete layer, in no particular order. */
    public List<LayerRecord> records() {
        synchronized (lock) {
            return List.copyOf(layers.values());
        }
    }

    /** {@link #make(LayerId, Optional, String, Fill, Undo)} for a driver that keeps nothing outside the folder. */
    public LayerRecord make(LayerId id, Optional<LayerId> parent, String operation, Fill fill) {
        return make(id, parent, operation, fill, layer -> {
        });
    }

    /**
     * Makes layer {@code id} over {@code parent}: reserves the id, creates the layer's empty {@link #dir} (after
     * deleting one a crashed attempt left) and has {@code fill} fill it outside the lock, then writes the record
     * {@code fill} returns into the folder, last, and shows the layer to every other call.
     * An id that exists or is being made fails with ALREADY_EXISTS, a parent that is not a complete layer with
     * NOT_FOUND. Any later failure deletes the folder (after {@code undo}, when {@code fill} had returned) and
     * frees the id: an {@link InvalidLayerException} is thrown as INVALID_ARGUMENT, another IOException as
     * SYSTEM, all naming {@code operation}; anything unchecked as it is.
     *
     * @return the published record
     */
    public LayerRecord make(LayerId id, Optional<LayerId> parent, String operation, Fill fill, Undo undo) {
        reserve(id, parent, operation);
        Path dir = dir(id);
        LayerRecord layer = null;
        try {
            Files.createDirectory(dir);
            layer = fill.fill(dir);
            if (!layer.id().equals(id) || !layer.parent().equals(parent)) {
                throw new IllegalStateException(driver + ": " + operation + " " + id.value()
                        + ": filled a record of another layer: " + layer);
            }
            layer.write(dir);
            synchronized (lock) {
                pending.remove(id);
                layers.put(id, layer);
            }
            return layer;
        } catch (InvalidLayerException e) {
            throw abandon(id, layer, undo, new DriverException(Kind.INVALID_ARGUMENT, driver, operation, id.value(), e));
        } catch (IOException e) {
            throw abandon(id, layer, undo, new DriverException(Kind.SYSTEM, driver, operation, id.value(), e));
        } catch (RuntimeException e) {
            throw abandon(id, layer, undo, e);
        } catch (Error e) {
            throw abandon(id, layer, undo, e);
        }
    }

    /** {@link #remove(LayerId, RemovalCheck)} for a driver with no reasons of its own to refuse. */
    public Optional<LayerRecord> remove(LayerId id) {
        return remove(id, layer -> {
        });
    }

    /**
     * Removes layer {@code id} and its folder. An absent id does nothing and returns empty (a repeat is safe).
     * A reserved id, or a layer that is the parent of another (complete or reserved), fails with IN_USE. Then
     * {@code check} runs under the lock and may refuse by throwing; then the folder is renamed away under the
     * lock, which frees the id at once, and deleted after it.
     *
     * @return the removed layer, for the driver to delete what it keeps outside the folder
     */
    public Optional<LayerRecord> remove(LayerId id, RemovalCheck check) {
        String operation = "remove layer";
        LayerRecord layer;
        Path doomed;
        synchronized (lock) {
            layer = layers.get(id);
            if (layer == null) {
                if (pending.containsKey(id)) {
                    throw new DriverException(Kind.IN_USE, driver, operation, id.value(), "layer is being created");
                }
                return Optional.empty();
            }
            Optional<LayerId> child = childOf(id);
            if (child.isPresent()) {
                throw new DriverException(Kind.IN_USE, driver, operation, id.value(),
                        "layer is the parent of " + child.get().value());
            }
            // A name starting with a dot is never a layer id, so a crash before the delete below leaves a
            // folder that open() recognises as rubbish.
            doomed = layersDir.resolve(".removing-" + id.value() + "-" + System.nanoTime());
            try {
                check.check(layer);
                Files.move(dir(id), doomed, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new DriverException(Kind.SYSTEM, driver, operation, id.value(), e);
            }
            layers.remove(id);
        }
        try {
            FileTrees.delete(doomed);
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, driver, operation, id.value(), e);
        }
        return Optional.of(layer);
    }

    private void reserve(LayerId id, Optional<LayerId> parent, String operation) {
        synchronized (lock) {
            if (layers.containsKey(id) || pending.containsKey(id)) {
                throw new DriverException(Kind.ALREADY_EXISTS, driver, operation, id.value(), "layer already exists");
            }
            if (parent.isPresent() && !layers.containsKey(parent.get())) {
                throw new DriverException(Kind.NOT_FOUND, driver, operation, id.value(),
                        "no such parent layer " + parent.get().value());
            }
            try {
                FileTrees.delete(dir(id)); // left by an attempt that crashed
            } catch (IOException e) {
                throw new DriverException(Kind.SYSTEM, driver, operation, id.value(), e);
            }
            pending.put(id, parent);
        }
    }

    /** Undoes a failed {@link #make}; failures to clean up are added to {@code failure}, which is returned. */
    private <T extends Throwable> T abandon(LayerId id, LayerRecord filled, Undo undo, T failure) {
        try {
            if (filled != null) {
                undo.undo(filled);
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        try {
            FileTrees.delete(dir(id));
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        synchronized (lock) {
            pending.remove(id);
        }
        return failure;
    }

    private Optional<LayerId> childOf(LayerId id) {
        for (LayerRecord layer : layers.values()) {
            if (layer.parent().equals(Optional.of(id))) {
                return Optional.of(layer.id());
            }
        }
        for (Map.Entry<LayerId, Optional<LayerId>> p : pending.entrySet()) {
            if (p.getValue().equals(Optional.of(id))) {
                return Optional.of(p.getKey());
            }
        }
        return Optional.empty();
    }

    /** What a driver puts in a new layer's folder. */
    @FunctionalInterface
    public interface Fill {
        /**
         * Fills {@code dir}, the new layer's empty folder, and returns the layer's record (same id and parent).
         * Whatever it makes outside {@code dir} it must undo itself when it throws; an {@link Undo} covers the
         * steps after it returns.
         */
        LayerRecord fill(Path dir) throws IOException;
    }

    /** How a driver removes what it keeps outside a layer's folder, such as overlay2's short link. */
    @FunctionalInterface
    public interface Undo {
        /** Deletes what {@code layer}'s fill made outside the layer's folder; runs before the id is freed. */
        void undo(LayerRecord layer) throws IOException;
    }

    /** How a driver measures a writable layer, whose files change while a container runs. */
    @FunctionalInterface
    public interface WritableMeasure {
        /** The bytes of the regular files that writable {@code layer} added or changed against its parent. */
        long ownBytes(LayerRecord layer) throws IOException;
    }

    /** A driver's own reason to refuse removing a layer, such as overlay2's check that it is not mounted. */
    @FunctionalInterface
    public interface RemovalCheck {
        /**
         * Throws a {@link DriverException} (IN_USE, as a rule) to refuse removing {@code layer}; returns to allow
         * it. Runs under the table's lock, so it must be quick. An IOException
         * becomes a SYSTEM failure of the removal.
         */
        void check(LayerRecord layer) throws IOException;
    }
}
