package dev.tallyman.storage.overlay2;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.linux.PosixFiles;
import dev.tallyman.spi.storage.StorageDriver;
import dev.tallyman.spi.storage.StorageDriverProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Registers {@link Overlay2Driver} as {@code overlay2}. It takes no driver options. */
public final class Overlay2Provider implements StorageDriverProvider {

    @Override
    public String spiVersion() {
        return dev.tallyman.spi.SpiVersion.CURRENT;
    }

    @Override
    public String name() {
        return Overlay2Driver.NAME;
    }

    /** The kernel must know overlay, and the root's file system must report d_type (xfs without ftype does not). */
    @Override
    public Optional<String> probe(Path root) {
        try {
            boolean known = Files.readAllLines(Path.of("/proc/filesystems")).stream()
                    .anyMatch(line -> line.endsWith("\toverlay"));
            if (!known) {
                return Optional.of("overlay2: overlay is not in /proc/filesystems (is the overlay module loaded?)");
            }
            Path existing = root.toAbsolutePath();
            while (!Files.isDirectory(existing)) {
                existing = existing.getParent();
            }
            if (!PosixFiles.reportsEntryTypes(existing)) {
                return Optional.of("overlay2: d_type not supported on " + existing
                        + " (the file system holding " + root + ")");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("overlay2: probe " + root + ": " + e.getMessage());
        }
    }

    @Override
    public StorageDriver create(Path root, Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new DriverException(DriverException.Kind.INVALID_ARGUMENT, Overlay2Driver.NAME, "create driver",
                    root.toString(), "unknown options " + options.keySet());
        }
        return new Overlay2Driver(new Overlay2Config(root));
    }
}
