package dev.tallyman.storage.vfs;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.DriverException.Kind;
import dev.tallyman.spi.archive.AppliedLayer;
import dev.tallyman.spi.archive.FileTrees;
import dev.tallyman.spi.archive.LayerApplier;
import dev.tallyman.spi.archive.LayerTarWriter;
import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.storage.Change;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.LayerRecord;
import dev.tallyman.spi.storage.LayerTable;
import dev.tallyman.spi.storage.MountSpec;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private final LayerTable layers;

    public VfsDriver(VfsConfig config) {
        try {
            this.layers = LayerTable.open(NAME, config.root().resolve("layers"));
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
        LayerRecord layer = layers.make(id, parent, "apply layer", dir -> {
            startTree(dir, parent);
            AppliedLayer applied = LayerApplier.apply(tar, tree(dir), new CopiedWhiteouts());
            return new LayerRecord(id, parent, Optional.of(applied.diffId()), applied.sizeBytes(), false, Map.of());
        });
        return layer.info(layer.sizeBytes());
    }

    @Override
    public void createWritable(LayerId id, Optional<LayerId> parent) {
        layers.make(id, parent, "create writable layer", dir -> {
            startTree(dir, parent);
            return new LayerRecord(id, parent, Optional.empty(), 0, true, Map.of());
        });
    }

    /** A bind mount of the layer's tree: read-write for a writable layer, read-only for an image layer. */
    @Override
    public List<MountSpec> mounts(LayerId id) {
        LayerRecord layer = layers.require(id, "mount layer");
        List<String> options = layer.writable() ? List.of("bind") : List.of("bind", "ro");
        return List.of(new MountSpec("bind", tree(layers.dir(id)).toString(), options));
    }

    @Override
    public void diff(LayerId id, OutputStream tar) {
        LayerRecord layer = layers.require(id, "diff layer");
        Path tree = tree(layers.dir(id));
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
        LayerRecord layer = layers.require(id, "list changes of layer");
        try {
            return compare(layer).stream().map(c -> new Change(c.kind(), "/" + c.path())).toList();
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "list changes of layer", id.value(), e);
        }
    }

    @Override
    public void remove(LayerId id) {
        layers.remove(id);
    }

    /** A writable layer's own bytes are those of the regular files it added or changed. */
    @Override
    public Optional<LayerInfo> inspect(LayerId id) {
        return layers.inspect(id, this::ownBytes);
    }

    @Override
    public List<LayerId> list() {
        return layers.ids();
    }

    private long ownBytes(LayerRecord layer) throws IOException {
        Path tree = tree(layers.dir(layer.id()));
        long size = 0;
        for (TreeChange change : compare(layer)) {
            if (change.kind() != Change.Kind.DELETED) {
                FileStat stat = FileStat.of(tree.resolve(change.path()));
                size += stat.isRegularFile() ? stat.size() : 0;
            }
        }
        return size;
    }

    private List<TreeChange> compare(LayerRecord layer) throws IOException {
        Path parentTree = layer.parent().map(p -> tree(layers.dir(p))).orElse(null);
        return TreeComparison.between(tree(layers.dir(layer.id())), parentTree);
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
            FileTrees.copy(tree(layers.dir(parent.get())), tree(dir));
        } else {
            Files.createDirectory(tree(dir));
        }
    }

    private static Path tree(Path layerDir) {
        return layerDir.resolve("fs");
    }
}
