package dev.tallyman.images.archive;

import dev.tallyman.images.ImageException;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.archive.LayerTarWriter;
import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.MountSpec;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code docker export}: the whole root file system of a container (its writable layer seen through all its
 * image layers) as one tar, without whiteouts: what a process in the container would see, minus the mounts
 * the runtime adds (proc, sys, volumes). Entries are in name order with the files' own owners, modes and
 * times, so exporting an unchanged container twice gives the same bytes.
 *
 * <p>The layer is mounted read-only at a scratch folder for the walk and unmounted afterwards, even on
 * failure. A running container keeps its own mount meanwhile: an overlay's upper dir is mounted here as the
 * top lower dir, which overlayfs allows beside the container's read-write mount (it warns, as the files may
 * change during the walk, like {@code docker export} of a running container).
 */
public final class ContainerExporter {
    private static final String OPERATION = "export container";

    private final Path scratch;

    /** @param scratch a folder under which the temporary mount points are made */
    public ContainerExporter(Path scratch) {
        this.scratch = scratch;
    }

    /**
     * Writes the file system of {@code writableLayer} (with its parents) to {@code out}, which stays open.
     *
     * @throws ImageException NOT_FOUND for a layer the driver does not have; SYSTEM when mounting or reading fails
     */
    public void export(StorageDriver driver, LayerId writableLayer, OutputStream out) {
        List<MountSpec> specs;
        try {
            specs = readOnly(driver.mounts(writableLayer));
        } catch (DriverException e) {
            ImageException.Kind kind = e.kind() == DriverException.Kind.NOT_FOUND
                    ? ImageException.Kind.NOT_FOUND : ImageException.Kind.SYSTEM;
            throw new ImageException(kind, OPERATION + " " + writableLayer + ": " + e.getMessage(), e);
        }
        Path target = Spool.folder(scratch, OPERATION, "export-");
        Throwable failure = null;
        try {
            Mounts.mount(specs, target);
            try (LayerTarWriter tar = new LayerTarWriter(out)) {
                walk(tar, target, "");
            } finally {
                Mounts.unmount(target);
            }
        } catch (IOException e) {
            failure = e;
            throw new UncheckedIOException(OPERATION + " " + writableLayer + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            removeMountPoint(target, failure);
        }
    }

    /**
     * The same mounts, read-only. An overlay with an upper dir becomes one without: the upper dir goes on top
     * of the lower dirs, so no work dir is touched and the container's own mount is left alone.
     */
    static List<MountSpec> readOnly(List<MountSpec> specs) {
        List<MountSpec> result = new ArrayList<>();
        for (MountSpec spec : specs) {
            String upper = null;
            String lower = null;
            List<String> others = new ArrayList<>();
            for (String option : spec.options()) {
                if (option.startsWith("upperdir=")) {
                    upper = option.substring("upperdir=".length());
                } else if (option.startsWith("lowerdir=")) {
                    lower = option.substring("lowerdir=".length());
                } else if (!option.startsWith("workdir=") && !option.equals("rw") && !option.equals("ro")) {
                    others.add(option);
                }
            }
            List<String> options = new ArrayList<>();
            options.add("ro");
            if ("overlay".equals(spec.type()) && lower != null) {
                options.add("lowerdir=" + (upper == null ? lower : upper + ":" + lower));
            } else if (lower != null) {
                options.add("lowerdir=" + lower);
            }
            options.addAll(others);
            result.add(new MountSpec(spec.type(), spec.source(), options));
        }
        return result;
    }

    private static void walk(LayerTarWriter tar, Path dir, String prefix) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        }
        children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        for (Path child : children) {
            String name = prefix + child.getFileName();
            tar.add(child, name);
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                walk(tar, child, name + "/");
            }
        }
    }

    private static void removeMountPoint(Path target, Throwable failure) {
        try {
            if (Mounts.isMountPoint(target)) {
                return; // never delete through a mount that would not come off: the files below are the container's
            }
            Files.deleteIfExists(target);
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                throw new UncheckedIOException(OPERATION + ": remove mount point " + target + ": " + e.getMessage(), e);
            }
        }
    }
}
