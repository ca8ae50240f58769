package dev.tallyman.storage.vfs;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.DriverException.Kind;
import dev.tallyman.spi.archive.AppliedLayer;
import dev.tallyman.spi.archive.FileTrees;
import dev.tallyman.spi.archive.InvalidLayerException;
import dev.tallyman.spi.archive.LayerApplier;
import dev.tallyman.spi.archive.LayerTarWriter;
import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.storage.Change;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.MountSpec;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps every layer as a full copy of its parent plus its own changes, in {@code layers/<id>/fs}. Slow and
 * greedy with disk, but it needs nothing from the kernel beyond a bind mount, so it works on any file system.
 * Changes against the parent are found by comparing the two trees. One driver instance owns a root at a time.
 */
public final class VfsDriver implements StorageDriver {
    static final String NAME = "vfs";

    private final Path layersDir;
    private final Object lock = new Object();
    /** Complete layers. Guarded by lock. */
    private final Map<LayerId, LayerRecord> layers = new HashMap<>();
    /** Layers being applied or created, with their parent, so that neither id nor parent can be taken meanwhile. */
    private final Map<LayerId, Optional<LayerId>> pending = new HashMap<>();

    public VfsDriver(VfsConfig config) {
        this.layersDir = config.root().resolve("layers");
        try {
            Files.createDirectories(layersDir);
            load();
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "open storage", config.root().toString(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public LayerInfo applyLayer(LayerId id, Optional<LayerId> parent, InputStream tar) {
        String operation = "apply layer";
        reserve(id, parent, operation);
        Path dir = layersDir.resolve(id.value());
        try {
            Files.createDirectory(dir);
            startTree(dir, parent);
            AppliedLayer applied = LayerApplier.apply(tar, tree(dir), new CopiedWhiteouts());
            LayerRecord layer = new LayerRecord(id, parent, Optional.of(applied.diffId()), applied.sizeBytes(), false);
            layer.write(dir);
            publish(layer);
            return layer.info(layer.sizeBytes());
        } catch (InvalidLayerException e) {
            throw abandon(id, dir, new DriverException(Kind.INVALID_ARGUMENT, NAME, operation, id.value(), e));
        } catch (IOException e) {
            throw abandon(id, dir, new DriverException(Kind.SYSTEM, NAME, operation, id.value(), e));
        } catch (RuntimeException e) {
            throw abandon(id, dir, e);
        } catch (Error e) {
            throw abandon(id, dir, e);
        }
    }

    @Override
    public void createWritable(LayerId id, Optional<LayerId> parent) {
        String operation = "create writable layer";
        reserve(id, parent, operation);
        Path dir = layersDir.resolve(id.value());
        try {
            Files.createDirectory(dir);
            startTree(dir, parent);
            LayerRecord layer = new LayerRecord(id, parent, Optional.empty(), 0, true);
            layer.write(dir);
            publish(layer);
        } catch (IOException e) {
            throw abandon(id, dir, new DriverException(Kind.SYSTEM, NAME, operation, id.value(), e));
        } catch (RuntimeException e) {
            throw abandon(id, dir, e);
        } catch (Error e) {
            throw abandon(id, dir, e);
        }
    }

    /** A bind mount of the layer's tree: read-write for a writable layer, read-only for an image layer. */
    @Override
    public List<MountSpec> mounts(LayerId id) {
        LayerRecord layer = require(id, "mount layer");
        List<String> options = layer.writable() ? List.of("bind") : List.of("bind", "ro");
        return List.of(new MountSpec("bind", tree(layersDir.resolve(id.value())).toString(), options));
    }

    @Override
    public void diff(LayerId id, OutputStream tar) {
        LayerRecord layer = require(id, "diff layer");
        Path tree = tree(layersDir.resolve(id.value()));
        try (LayerTarWriter writer = new LayerTarWriter(tar)) {
            Set<String> written = new HashSet<>();
            for (TreeChange change : compare(layer)) {
                // A file's parent directories go first, even unchanged ones: applied over a stacking driver,
                // a missing entry would give the directory default owner and mode over the parent's.
                writeParents(writer, tree, change.path(), written);
                if (change.kind() == Change.Kind.DELETED) {
                    writer.whiteout(change.path());
                } else {
                    writer.add(tree.resolve(change.path()), change.path());
                    written.add(change.path());
                }
            }
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "diff layer", id.value(), e);
        }
    }

    @Override
    public List<Change> changes(LayerId id) {
        LayerRecord layer = require(id, "list changes of layer");
        try {
            return compare(layer).stream().map(c -> new Change(c.kind(), "/" + c.path())).toList();
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "list changes of layer", id.value(), e);
        }
    }

    @Override
    public void remove(LayerId id) {
        Path doomed;
        synchronized (lock) {
            LayerRecord layer = layers.get(id);
            if (layer == null) {
                if (pending.containsKey(id)) {
                    throw new DriverException(Kind.IN_USE, NAME, "remove layer", id.value(), "layer is being created");
                }
                return;
            }
            Optional<LayerId> child = childOf(id);
            if (child.isPresent()) {
                throw new DriverException(Kind.IN_USE, NAME, "remove layer", id.value(),
                        "layer is the parent of " + child.get().value());
            }
            // Renaming first frees the id at once; a name starting with a dot is never a layer id, so a crash
            // before the delete below leaves a folder that load() recognises as rubbish.
            doomed = layersDir.resolve(".removing-" + id.value() + "-" + System.nanoTime());
            try {
                Files.move(layersDir.resolve(id.value()), doomed, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new DriverException(Kind.SYSTEM, NAME, "remove layer", id.value(), e);
            }
            layers.remove(id);
        }
        try {
            FileTrees.delete(doomed);
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "remove layer", id.value(), e);
        }
    }

    /** An image layer's size is the bytes its tar wrote; a writable layer's, those of the files it added or changed. */
    @Override
    public Optional<LayerInfo> inspect(LayerId id) {
        LayerRecord layer;
        synchronized (lock) {
            layer = layers.get(id);
        }
        if (layer == null) {
            return Optional.empty();
        }
        if (!layer.writable()) {
            return Optional.of(layer.info(layer.sizeBytes()));
        }
        try {
            Path tree = tree(layersDir.resolve(id.value()));
            long size = 0;
            for (TreeChange change : compare(layer)) {
                if (change.kind() != Change.Kind.DELETED) {
                    FileStat stat = FileStat.of(tree.resolve(change.path()));
                    size += stat.isRegularFile() ? stat.size() : 0;
                }
            }
            return Optional.of(layer.info(size));
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "inspect layer", id.value(), e);
        }
    }

    @Override
    public List<LayerId> list() {
        synchronized (lock) {
            return List.copyOf(layers.keySet());
        }
    }

    private List<TreeChange> compare(LayerRecord layer) throws IOException {
        Path parentTree = layer.parent().map(p -> tree(layersDir.resolve(p.value()))).orElse(null);
        return TreeComparison.between(tree(layersDir.resolve(layer.id().value())), parentTree);
    }

    private static void writeParents(LayerTarWriter writer, Path tree, String path, Set<String> written)
            throws IOException {
        int slash = path.indexOf('/');
        while (slash >= 0) {
            String parent = path.substring(0, slash);
            if (written.add(parent)) {
                writer.add(tree.resolve(parent), parent);
            }
            slash = path.indexOf('/', slash + 1);
        }
    }

    private void startTree(Path dir, Optional<LayerId> parent) throws IOException {
        if (parent.isPresent()) {
            FileTrees.copy(tree(layersDir.resolve(parent.get().value())), tree(dir));
        } else {
            Files.createDirectory(tree(dir));
        }
    }

    private static Path tree(Path layerDir) {
        return layerDir.resolve("fs");
    }

    private LayerRecord require(LayerId id, String operation) {
        synchronized (lock) {
            LayerRecord layer = layers.get(id);
            if (layer == null) {
                throw new DriverException(Kind.NOT_FOUND, NAME, operation, id.value(), "no such layer");
            }
            return layer;
        }
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

    private void reserve(LayerId id, Optional<LayerId> parent, String operation) {
        synchronized (lock) {
            if (layers.containsKey(id) || pending.containsKey(id)) {
                throw new DriverException(Kind.ALREADY_EXISTS, NAME, operation, id.value(), "layer already exists");
            }
            if (parent.isPresent() && !layers.containsKey(parent.get())) {
                throw new DriverException(Kind.NOT_FOUND, NAME, operation, id.value(),
                        "no such parent layer " + parent.get().value());
            }
            try {
                FileTrees.delete(layersDir.resolve(id.value())); // left by an apply that crashed
            } catch (IOException e) {
                throw new DriverException(Kind.SYSTEM, NAME, operation, id.value(), e);
            }
            pending.put(id, parent);
        }
    }

    private void publish(LayerRecord layer) {
        synchronized (lock) {
            pending.remove(layer.id());
            layers.put(layer.id(), layer);
        }
    }

    private <T extends Throwable> T abandon(LayerId id, Path dir, T failure) {
        try {
            FileTrees.delete(dir);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        synchronized (lock) {
            pending.remove(id);
        }
        return failure;
    }

    /** Reads complete layers; removes folders of applies that never finished and removals cut short. */
    private void load() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layersDir)) {
            for (Path dir : entries) {
                String name = dir.getFileName().toString();
                if (name.startsWith(".") || !Files.exists(dir.resolve(LayerRecord.FILE), LinkOption.NOFOLLOW_LINKS)) {
                    FileTrees.delete(dir);
                    continue;
                }
                layers.put(LayerId.of(name), LayerRecord.read(LayerId.of(name), dir));
            }
        }
    }
}
