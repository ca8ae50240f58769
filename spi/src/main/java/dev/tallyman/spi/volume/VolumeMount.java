package dev.tallyman.spi.volume;

import dev.tallyman.spi.storage.MountSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * What makes a volume usable: perform {@code mounts} at {@code mountpoint} (in order, with
 * {@link dev.tallyman.spi.linux.Mounts}) before the first container uses it and unmount the mountpoint after the
 * last one; then bind {@code mountpoint} into each container. No mounts: the folder is used as it is.
 */
public record VolumeMount(Path mountpoint, List<MountSpec> mounts) {
    public VolumeMount {
        mounts = List.copyOf(mounts);
    }
}
