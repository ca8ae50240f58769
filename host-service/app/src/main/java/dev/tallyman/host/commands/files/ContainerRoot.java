package dev.tallyman.host.commands.files;

import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * A container's root file system, reachable from the host for as long as this is open: a running container's
 * own rootfs mount, or for a stopped one the storage driver's mounts made at a scratch folder and taken off
 * again on close (even after a failure).
 */
public final class ContainerRoot implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerRoot.class);

    private final Path path;
    private final boolean ours;

    private ContainerRoot(Path path, boolean ours) {
        this.path = path;
        this.ours = ours;
    }

    /**
     * @param mounted the container's rootfs mount point (ContainerLauncher.rootfs), used when something is mounted there
     * @param scratch where a temporary mount point may be made
     */
    public static ContainerRoot open(String containerId, Path mounted, StorageDriver driver, Path scratch) {
        try {
            if (Files.isDirectory(mounted) && Mounts.isMountPoint(mounted)) {
                return new ContainerRoot(mounted, false);
            }
            Files.createDirectories(scratch);
            Path target = Files.createTempDirectory(scratch, "root-");
            try {
                Mounts.mount(driver.mounts(LayerId.of(containerId)), target);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(target);
                throw e;
            }
            return new ContainerRoot(target, true);
        } catch (IOException e) {
            throw new UncheckedIOException("mount container " + containerId + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        if (!ours) {
            return;
        }
        try {
            Mounts.unmount(path);
            if (!Mounts.isMountPoint(path)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.errorf("unmount container root %s: %s", path, e.getMessage());
        }
    }
}
