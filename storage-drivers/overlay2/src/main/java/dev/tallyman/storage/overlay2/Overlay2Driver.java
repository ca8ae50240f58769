package dev.tallyman.storage.overlay2;

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
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
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
public final class Overlay2Driver implements StorageDriver, dev.tallyman.spi.storage.WritableLayerOptions {
    static final String NAME = "overlay2";
    private static final String LINK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final int LINK_LENGTH = 8;
    /** The layer record's extra that names the layer's symlink in {@code l/}. */
    private static final String LINK = "link";

    private final LayerTable layers;
    private final Path root;
    private final Path linksDir;
    private final Path emptyDir;
    private final SecureRandom random = new SecureRandom();

    public Overlay2Driver(Overlay2Config config) {
        Path root = config.root();
        this.root = root;
        this.linksDir = root.resolve("l");
        this.emptyDir = root.resolve("empty");
        try {
            Files.createDirectories(linksDir);
            Files.createDirectories(emptyDir);
            this.layers = LayerTable.open(NAME, root.resolve("layers"));
            removeStaleLinks();
        } catch (IOException e) {
            throw new DriverException(Kind.SYSTEM, NAME, "open storage", root.toString(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The short link comes last: a layer that failed before it has nothing outside its folder to undo. */
    @Override
    public LayerInfo applyLayer(LayerId id, Optional<LayerId> parent, InputStream tar) {
        LayerRecord layer = layers.make(id, parent, "apply layer", dir -> {
            Files.createDirectory(dir.resolve("diff"));
            AppliedLayer applied = LayerApplier.apply(tar, dir.resolve("diff"), new OverlayWhiteouts());
            return new LayerRecord(id, parent, Optional.of(applied.diffId()), applied.sizeBytes(), false,
                    Map.of(LINK, createLink(id)));
        }, this::deleteLink);
        return layer.info(layer.sizeBytes());
    }

    @Override
    public void createWritable(LayerId id, Optional<LayerId> parent) {
        layers.make(id, parent, "create writable layer", dir -> {
            Files.createDirectory(dir.resolve("diff"));
            Files.createDirectory(dir.resolve("work"));
            return new LayerRecord(id, parent, Optional.empty(), 0, true, Map.of(LINK, createLink(id)));
        }, this::deleteLink);
    }

    /** {@code --storage-opt}: see {@link Overlay2StorageOptions}; nothing is honoured yet, so everything is refused. */
    @Override
    public Optional<String> refusal(Map<String, String> options) {
        return options.isEmpty() ? Optional.empty() : Overlay2StorageOptions.refusal(root, options);
    }

    @Override
    public void createWritable(LayerId id, Optional<LayerId> parent, Map<String, String> options) {
        Optional<String> refused = refusal(options);
        if (refused.isPresent()) {
            throw new DriverException(Kind.INVALID_ARGUMENT, NAME, "create writable layer", id.toString(), refused.get());
        }
        createWritable(id, parent);
    }

    /**
     * A writable layer mounts read-write over its parents. An image layer mounts read-only: it never changes
     * after apply, and its diff dir must not become an upper dir.
     */
    @Override
    public List<MountSpec> mounts(LayerId id) {
        List<LayerRecord> stack = layers.stack(id, "mount layer");
        LayerRecord layer = stack.get(0);
        List<String> lowers = new ArrayList<>();
        for (LayerRecord lower : stack.subList(1, stack.size())) {
            lowers.add(linkPath(lower).toString());
        }
        Path dir = layers.dir(id);
        if (layer.writable()) {
            String lowerdir = lowers.isEmpty() ? emptyDir.toString() : String.join(":", lowers);
            return List.of(new MountSpec("overlay", "overlay", List.of("lowerdir=" + lowerdir,
                    "upperdir=" + dir.resolve("diff"), "workdir=" + dir.resolve("work"))));
        }
        if (lowers.isEmpty()) {
            return List.of(new MountSpec("bind", dir.resolve("diff").toString(), List.of("bind", "ro")));
        }
        lowers.add(0, linkPath(layer).toString());
        return List.of(new MountSpec("overlay", "overlay", List.of("ro", "lowerdir=" + String.join(":", lowers))));
    }

    @Override
    public void diff(LayerId id, OutputStream tar) {
        Path upper = diffDir(layers.require(id, "diff layer"));
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
        List<LayerRecord> stack = layers.stack(id, "list changes of layer");
        Path upper = diffDir(stack.get(0));
        List<Path> lowers = stack.subList(1, stack.size()).stream().map(this::diffDir).toList();
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

    /**
     * Refuses a writable layer that is mounted. The link goes after the layer's folder; should that fail, the
     * next start deletes the link as stale.
     */
    @Override
    public void remove(LayerId id) {
        Optional<LayerRecord> removed = layers.remove(id, layer -> {
            if (layer.writable() && isMountedAsUpper(diffDir(layer))) {
                throw new DriverException(Kind.IN_USE, NAME, "remove layer", id.value(),
                        "layer is mounted (unmount the container's root file system first)");
            }
        });
        if (removed.isPresent()) {
            try {
                deleteLink(removed.get());
            } catch (IOException e) {
                throw new DriverException(Kind.SYSTEM, NAME, "remove layer", id.value(), e);
            }
        }
    }

    /** A writable layer's own bytes are those of its upper dir. */
    @Override
    public Optional<LayerInfo> inspect(LayerId id) {
        return layers.inspect(id, layer -> FileTrees.regularFileBytes(diffDir(layer)));
    }

    @Override
    public List<LayerId> list() {
        return layers.ids();
    }

    /** The folder holding the layer's own files (the upper dir of a writable layer); for tests and tools. */
    Path diffDir(LayerId id) {
        return diffDir(layers.require(id, "find layer"));
    }

    private Path diffDir(LayerRecord layer) {
        return layers.dir(layer.id()).resolve("diff");
    }

    private Path linkPath(LayerRecord layer) {
        return linksDir.resolve(layer.extras().getOrDefault(LINK, ""));
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

    private void deleteLink(LayerRecord layer) throws IOException {
        Files.deleteIfExists(linkPath(layer));
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

    /** Deletes links that no layer names: left by an apply or a removal cut short. */
    private void removeStaleLinks() throws IOException {
        Set<Path> links = new HashSet<>();
        for (LayerRecord layer : layers.records()) {
            links.add(linkPath(layer));
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(linksDir)) {
            for (Path link : entries) {
                if (!links.contains(link)) {
                    Files.deleteIfExists(link);
                }
            }
        }
    }
}
