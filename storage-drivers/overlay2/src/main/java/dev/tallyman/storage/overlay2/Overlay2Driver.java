package dev.tallyman.storage.overlay2;

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
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stacks layers with overlayfs. Each layer's own files sit in {@code layers/<id>/diff}; a writable layer
 * also has {@code work/}, and its {@code diff/} is the overlay upper dir. Mounting costs one mount(2) call and
 * creating a writable layer two mkdirs: nothing is copied.
 *
 * <p>Layout under the root: {@code layers/<id>/{diff,work,meta}}, {@code l/<short>} symlinks to each
 * {@code diff/} (they keep the mount data of deep stacks under a page), {@code empty/} (the lower dir of a
 * writable layer without parent). One driver instance owns a root at a time.
 */
public final class Overlay2Driver implements StorageDriver {
    static final String NAME = "overlay2";
    private static final String LINK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final int LINK_LENGTH = 8;

    private final Path layersDir;
    private final Path linksDir;
    private final Path emptyDir;
    private final SecureRandom random = new SecureRandom();
    private final Object lock = new Object();
    /** Complete layers. Guarded by lock. */
    private final Map<LayerId, LayerRecord> layers = new HashMap<>();
    /** Layers being applied or created, with their parent, so that neither id nor parent can be taken meanwhile. */
    private final Map<LayerId, Optional<LayerId>> pending = new HashMap<>();

    public Overlay2Driver(Overlay2Config config) {
        Path root = config.root();
        this.layersDir = root.resolve("layers");
        this.linksDir = root.resolve("l");
        this.emptyDir = root.resolve("empty");
        try {
            Files.createDirectories(layersDir);
            Files.createDirectories(linksDir);
            Files.createDirectories(emptyDir);
            load();
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "open storage", root.toString(), e);
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
        String link = null;
        try {
            Files.createDirectories(dir.resolve("diff"));
            AppliedLayer applied = LayerApplier.apply(tar, dir.resolve("diff"), new OverlayWhiteouts());
            link = createLink(id);
            LayerRecord layer = new LayerRecord(id, parent, Optional.of(applied.diffId()), applied.sizeBytes(), link, false);
            layer.write(dir);
            publish(layer);
            return layer.info(layer.sizeBytes());
        } catch (InvalidLayerException e) {
            throw abandon(id, dir, link, new DriverException(Kind.INVALID_ARGUMENT, NAME, operation, id.value(), e));
        } catch (IOException e) {
            throw abandon(id, dir, link, new DriverException(Kind.SYSTEM, NAME, operation, id.value(), e));
        } catch (RuntimeException e) {
            throw abandon(id, dir, link, e);
        } catch (Error e) {
            throw abandon(id, dir, link, e);
        }
    }

    @Override
    public void createWritable(LayerId id, Optional<LayerId> parent) {
        String operation = "create writable layer";
        reserve(id, parent, operation);
        Path dir = layersDir.resolve(id.value());
        String link = null;
        try {
            Files.createDirectories(dir.resolve("diff"));
            Files.createDirectory(dir.resolve("work"));
            link = createLink(id);
            LayerRecord layer = new LayerRecord(id, parent, Optional.empty(), 0, link, true);
            layer.write(dir);
            publish(layer);
        } catch (IOException e) {
            throw abandon(id, dir, link, new DriverException(Kind.SYSTEM, NAME, operation, id.value(), e));
        } catch (RuntimeException e) {
            throw abandon(id, dir, link, e);
        } catch (Error e) {
            throw abandon(id, dir, link, e);
        }
    }

    /**
     * A writable layer mounts read-write over its parents. An image layer mounts read-only: it never changes
     * after apply, and its diff dir must not become an upper dir.
     */
    @Override
    public List<MountSpec> mounts(LayerId id) {
        List<String> lowers = new ArrayList<>();
        LayerRecord layer;
        synchronized (lock) {
            layer = require(id, "mount layer");
            for (Optional<LayerId> p = layer.parent(); p.isPresent(); p = layers.get(p.get()).parent()) {
                lowers.add(linksDir.resolve(layers.get(p.get()).link()).toString());
            }
        }
        Path dir = layersDir.resolve(id.value());
        if (layer.writable()) {
            String lowerdir = lowers.isEmpty() ? emptyDir.toString() : String.join(":", lowers);
            return List.of(new MountSpec("overlay", "overlay", List.of("lowerdir=" + lowerdir,
                    "upperdir=" + dir.resolve("diff"), "workdir=" + dir.resolve("work"))));
        }
        if (lowers.isEmpty()) {
            return List.of(new MountSpec("bind", dir.resolve("diff").toString(), List.of("bind", "ro")));
        }
        lowers.add(0, linksDir.resolve(layer.link()).toString());
        return List.of(new MountSpec("overlay", "overlay", List.of("ro", "lowerdir=" + String.join(":", lowers))));
    }

    @Override
    public void diff(LayerId id, OutputStream tar) {
        Path upper = diffDir(require(id, "diff layer"));
        try (LayerTarWriter writer = new LayerTarWriter(tar)) {
            Files.walkFileTree(upper, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(upper)) {
                        String name = upper.relativize(dir).toString();
                        writer.add(dir, name);
                        if (OverlayWhiteouts.isOpaque(dir)) {
                            writer.opaque(name);
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = upper.relativize(file).toString();
                    if (FileStat.of(file).isOverlayWhiteout()) {
                        writer.whiteout(name);
                    } else {
                        writer.add(file, name);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "diff layer", id.value(), e);
        }
    }

    /**
     * The upper dir read as docker diff shows it: a whiteout is a deletion, anything else an addition when no
     * lower layer has the path and a change when one does. An opaque directory counts as changed; the lower
     * entries it hides are not listed one by one.
     */
    @Override
    public List<Change> changes(LayerId id) {
        LayerRecord layer = require(id, "list changes of layer");
        Path upper = diffDir(layer);
        List<Path> lowers = lowerDiffDirs(layer);
        List<Change> changes = new ArrayList<>();
        try {
            Files.walkFileTree(upper, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(upper)) {
                        add(dir);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    add(file);
                    return FileVisitResult.CONTINUE;
                }

                private void add(Path path) throws IOException {
                    String relative = upper.relativize(path).toString();
                    boolean below = existsBelow(lowers, relative);
                    if (FileStat.of(path).isOverlayWhiteout()) {
                        if (below) {
                            changes.add(new Change(Change.Kind.DELETED, "/" + relative));
                        }
                    } else {
                        changes.add(new Change(below ? Change.Kind.MODIFIED : Change.Kind.ADDED, "/" + relative));
                    }
                }
            });
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "list changes of layer", id.value(), e);
        }
        return changes;
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
                if (layer.writable() && isMountedAsUpper(diffDir(layer))) {
                    throw new DriverException(Kind.IN_USE, NAME, "remove layer", id.value(),
                            "layer is mounted (unmount the container's root file system first)");
                }
                Files.move(layersDir.resolve(id.value()), doomed, StandardCopyOption.ATOMIC_MOVE);
                Files.deleteIfExists(linksDir.resolve(layer.link()));
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
            return Optional.of(layer.info(FileTrees.regularFileBytes(diffDir(layer))));
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

    /** The folder holding the layer's own files (the upper dir of a writable layer); for tests and tools. */
    Path diffDir(LayerId id) {
        return diffDir(require(id, "find layer"));
    }

    private Path diffDir(LayerRecord layer) {
        return layersDir.resolve(layer.id().value()).resolve("diff");
    }

    private List<Path> lowerDiffDirs(LayerRecord layer) {
        List<Path> lowers = new ArrayList<>();
        synchronized (lock) {
            for (Optional<LayerId> p = layer.parent(); p.isPresent(); p = layers.get(p.get()).parent()) {
                lowers.add(diffDir(layers.get(p.get())));
            }
        }
        return lowers;
    }

    /**
     * Whether the merged lower layers show {@code relative}: the topmost lower that has the path, a whiteout
     * of it, or an opaque or whited-out ancestor decides.
     */
    private static boolean existsBelow(List<Path> lowers, String relative) throws IOException {
        for (Path lower : lowers) {
            FileStat stat = stat(lower.resolve(relative));
            if (stat != null) {
                return !stat.isOverlayWhiteout();
            }
            for (Path ancestor = Path.of(relative).getParent(); ancestor != null; ancestor = ancestor.getParent()) {
                Path inLower = lower.resolve(ancestor);
                FileStat a = stat(inLower);
                if (a != null && (!a.isDirectory() || OverlayWhiteouts.isOpaque(inLower))) {
                    return false;
                }
            }
        }
        return false;
    }

    /**
     * Deleting the upper dir of a live overlay mount would corrupt what the container sees; the mount's super
     * options in /proc/self/mountinfo name the upper dir as it was given.
     */
    private static boolean isMountedAsUpper(Path upper) throws IOException {
        String option = "upperdir=" + upper;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            int at = line.indexOf(option);
            int end = at + option.length();
            if (at >= 0 && (end == line.length() || line.charAt(end) == ',')) {
                return true;
            }
        }
        return false;
    }

    private static FileStat stat(Path path) throws IOException {
        try {
            return FileStat.of(path);
        } catch (NoSuchFileException e) {
            return null;
        }
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

    private <T extends Throwable> T abandon(LayerId id, Path dir, String link, T failure) {
        try {
            if (link != null) {
                Files.deleteIfExists(linksDir.resolve(link));
            }
            FileTrees.delete(dir);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        synchronized (lock) {
            pending.remove(id);
        }
        return failure;
    }

    private String createLink(LayerId id) throws IOException {
        Path target = Path.of("..", "layers", id.value(), "diff");
        while (true) {
            StringBuilder name = new StringBuilder(LINK_LENGTH);
            for (int i = 0; i < LINK_LENGTH; i++) {
                name.append(LINK_ALPHABET.charAt(random.nextInt(LINK_ALPHABET.length())));
            }
            try {
                Files.createSymbolicLink(linksDir.resolve(name.toString()), target);
                return name.toString();
            } catch (FileAlreadyExistsException e) {
                // 36^8 names: a clash is rare; draw again
            }
        }
    }

    /** Reads complete layers; removes folders of applies that never finished, removals cut short, stale links. */
    private void load() throws IOException {
        Set<String> links = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layersDir)) {
            for (Path dir : entries) {
                String name = dir.getFileName().toString();
                if (name.startsWith(".") || !Files.exists(dir.resolve(LayerRecord.FILE), LinkOption.NOFOLLOW_LINKS)) {
                    FileTrees.delete(dir);
                    continue;
                }
                LayerRecord layer = LayerRecord.read(LayerId.of(name), dir);
                layers.put(layer.id(), layer);
                links.add(layer.link());
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(linksDir)) {
            for (Path link : entries) {
                if (!links.contains(link.getFileName().toString())) {
                    Files.deleteIfExists(link);
                }
            }
        }
    }
}
