package dev.tallyman.spi.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds image-layer tars in memory: directories, files, symlinks and whiteouts, in the order given. */
public final class LayerTarBuilder {
    private static final FileTime TIME = FileTime.fromMillis(1_700_000_000_000L);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

    public LayerTarBuilder() {
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    public LayerTarBuilder dir(String name) {
        TarArchiveEntry entry = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
        entry.setMode(0755);
        return put(entry, null);
    }

    public LayerTarBuilder file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public LayerTarBuilder file(String name, byte[] content) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        entry.setMode(0644);
        entry.setSize(content.length);
        return put(entry, content);
    }

    public LayerTarBuilder symlink(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        return put(entry, null);
    }

    /** Deletes {@code name} (e.g. {@code etc/motd}) of lower layers. */
    public LayerTarBuilder whiteout(String name) {
        int slash = name.lastIndexOf('/');
        return file(name.substring(0, slash + 1) + ".wh." + name.substring(slash + 1), "");
    }

    /** Hides what lower layers have in directory {@code dir}. */
    public LayerTarBuilder opaque(String dir) {
        return file(dir + "/.wh..wh..opq", "");
    }

    private LayerTarBuilder put(TarArchiveEntry entry, byte[] content) {
        entry.setLastModifiedTime(TIME);
        try {
            out.putArchiveEntry(entry);
            if (content != null) {
                out.write(content);
            }
            out.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Ends the archive and returns its bytes. */
    public byte[] build() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
