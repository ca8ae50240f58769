package dev.tallyman.spi.archive;

import dev.tallyman.spi.linux.FileStat;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a layer tar in the image-layer format: files as they are on disk, deletions as {@code .wh.<name>},
 * opaque directories as {@code <dir>/.wh..wh..opq}. Names are relative ({@code etc/hosts}), parents first.
 * Closing ends the archive but leaves the caller's stream open.
 */
public final class LayerTarWriter implements Closeable {
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    private final TarArchiveOutputStream out;
    /** First name written for each multiply-linked inode; later names become hard link entries. */
    private final Map<String, String> linkedInodes = new HashMap<>();

    public LayerTarWriter(OutputStream target) {
        out = new TarArchiveOutputStream(new FilterOutputStream(target) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the caller owns the stream
            }
        });
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        out.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** Adds the file, directory (not its contents), symlink, device or fifo at {@code source} as {@code name}. */
    public void add(Path source, String name) throws IOException {
        FileStat stat = FileStat.of(source);
        TarArchiveEntry entry;
        boolean withContent = false;
        if (stat.isDirectory()) {
            entry = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
        } else if (stat.isRegularFile()) {
            String first = stat.nlink() > 1 ? linkedInodes.putIfAbsent(stat.dev() + ":" + stat.ino(), name) : null;
            if (first != null) {
                entry = new TarArchiveEntry(name, TarConstants.LF_LINK);
                entry.setLinkName(first);
            } else {
                entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
                entry.setSize(stat.size());
                withContent = true;
            }
        } else if (stat.isSymbolicLink()) {
            entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(source).toString());
        } else if (stat.isCharacterDevice() || stat.isBlockDevice()) {
            entry = new TarArchiveEntry(name, stat.isCharacterDevice() ? TarConstants.LF_CHR : TarConstants.LF_BLK);
            entry.setDevMajor(stat.major());
            entry.setDevMinor(stat.minor());
        } else if (stat.isFifo()) {
            entry = new TarArchiveEntry(name, TarConstants.LF_FIFO);
        } else {
            return; // sockets belong to a running process, not to an image
        }
        entry.setMode(stat.permissions());
        entry.setUserId((long) stat.uid());
        entry.setGroupId((long) stat.gid());
        entry.setLastModifiedTime(stat.mtime());
        out.putArchiveEntry(entry);
        if (withContent) {
            try (InputStream in = Files.newInputStream(source)) {
                long copied = in.transferTo(out);
                if (copied != stat.size()) {
                    throw new IOException("write " + name + ": file changed size while being archived");
                }
            }
        }
        out.closeArchiveEntry();
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
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        entry.setMode(0644);
        entry.setLastModifiedTime(EPOCH);
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
