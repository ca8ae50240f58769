package dev.tallyman.spi.testkit;

import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One check's driver plus everything the check made through it. Closing unmounts every mount point by
 * its path and removes every layer by its id, newest first, even when the check failed.
 */
public final class Workspace implements AutoCloseable {
    private final StorageDriver driver;
    private final Path base;
    private final List<LayerId> layers = new ArrayList<>();
    private final List<Path> mountPoints = new ArrayList<>();

    public Workspace(StorageDriver driver, Path base) {
        this.driver = driver;
        this.base = base;
    }

    public StorageDriver driver() {
        return driver;
    }

    public LayerInfo apply(String id, String parent, byte[] tar) {
        LayerId layer = LayerId.of(id);
        LayerInfo info = driver.applyLayer(layer, parentOf(parent), new ByteArrayInputStream(tar));
        made(layer);
        return info;
    }

    public void writable(String id, String parent) {
        LayerId layer = LayerId.of(id);
        driver.createWritable(layer, parentOf(parent));
        made(layer);
    }

    /** Only layers that were made are removed at the end: a failed apply must have left nothing. */
    private void made(LayerId layer) {
        synchronized (layers) {
            layers.add(layer);
        }
    }

    /** Mounts layer {@code id} at a new folder beside the driver's root and returns that folder. */
    public Path mount(String id) throws IOException {
        Path target = Files.createTempDirectory(base, "mnt-" + id + "-");
        mountPoints.add(target);
        Mounts.mount(driver.mounts(LayerId.of(id)), target);
        return target;
    }

    public void unmount(Path target) throws IOException {
        Mounts.unmount(target);
    }

    /**
     * Every path under {@code root} mapped to what a user sees of it: type, mode, owner, and content or
     * link target. Two trees that look the same to a container have equal descriptions.
     */
    public static TreeMap<String, String> describe(Path root) throws IOException {
        TreeMap<String, String> tree = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    tree.put("/" + root.relativize(dir), "dir " + owner(dir));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String what;
                if (attrs.isSymbolicLink()) {
                    what = "symlink -> " + Files.readSymbolicLink(file);
                } else if (attrs.isRegularFile()) {
                    what = "file " + owner(file) + " " + Files.readString(file);
                } else {
                    what = "special " + owner(file);
                }
                tree.put("/" + root.relativize(file), what);
                return FileVisitResult.CONTINUE;
            }
        });
        return tree;
    }

    private static String owner(Path path) throws IOException {
        return Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) + " "
                + Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                + Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    private static Optional<LayerId> parentOf(String parent) {
        return Optional.ofNullable(parent).map(LayerId::of);
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = mountPoints.size() - 1; i >= 0; i--) {
            try {
                Mounts.unmount(mountPoints.get(i));
            } catch (IOException e) {
                failure = add(failure, new UncheckedIOException(e));
            }
        }
        List<LayerId> made;
        synchronized (layers) {
            made = new ArrayList<>(layers);
        }
        for (int i = made.size() - 1; i >= 0; i--) {
            try {
                driver.remove(made.get(i));
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
