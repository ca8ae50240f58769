package dev.tallyman.spi.archive;

import dev.tallyman.spi.linux.FileStat;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a layer tar in the image-layer format: files as they are on disk, deletions as {@code .wh.<name>},
 * opaque directories as {@code <dir>/.wh..wh..opq}. Names are relative ({@code etc/hosts}), parents first.
 * Closing ends the archive but leaves the caller's stream open.
 */
public final class LayerTarWriter implements Closeable {
    private final TarWriter out;

    public LayerTarWriter(OutputStream target) {
        out = new TarWriter(target);
    }

    /** Adds the file, directory (not its contents), symlink, device or fifo at {@code source} as {@code name}. */
    public void add(Path source, String name) throws IOException {
        out.add(FileStat.of(source), name, () -> Files.readSymbolicLink(source).toString(),
                () -> Files.newInputStream(source));
    }

    /** Records that {@code name} (relative, e.g. {@code etc/motd}) was deleted. */
    public void whiteout(String name) throws IOException {
        int slash = name.lastIndexOf('/');
        marker(name.substring(0, slash + 1) + ".wh." + name.substring(slash + 1));
    }

    /** Records that directory {@code name} hides everything lower layers have in it. */
    public void opaque(String name) throws IOException {
        marker(name + "/.wh..wh..opq");
    }

    private void marker(String name) throws IOException {
        out.put(TarWriter.fixedEntry(name, TarConstants.LF_NORMAL, 0644));
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
