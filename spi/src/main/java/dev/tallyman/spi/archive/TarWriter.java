package dev.tallyman.spi.archive;

import dev.tallyman.spi.linux.FileStat;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A tar archive written into a stream the caller owns, as every tar we send is written (layers, docker cp,
 * export, save): POSIX headers for long names and large numbers, pax names for non-ASCII ones. Files are
 * added from their stat, so a layer read by path and a container file read through a pinned descriptor make
 * the same entry. Closing ends the archive but leaves the caller's stream open.
 */
public final class TarWriter implements Closeable {
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    /** Reads a symlink's target, asked only when the stat says symlink. */
    @FunctionalInterface
    public interface LinkTarget {
        String read() throws IOException;
    }

    /** Opens an entry's bytes, asked only once its header is written. */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    private final TarArchiveOutputStream out;
    /** First name written for each multiply-linked inode; later names become hard link entries. */
    private final Map<String, String> linkedInodes = new HashMap<>();

    public TarWriter(OutputStream target) {
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

    /**
     * An entry owned by root and dated at the epoch, for what has no file behind it (whiteouts, the files of
     * docker save), so the archive's bytes depend on its input only.
     */
    public static TarArchiveEntry fixedEntry(String name, byte type, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setMode(mode);
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setLastModifiedTime(EPOCH);
        return entry;
    }

    /**
     * Adds the file, directory (not its contents), symlink, device or fifo described by {@code stat} as
     * {@code name}, with its mode, owners and mtime. A regular file already written under another name of this
     * archive becomes a hard link to that name. A socket is left out: it belongs to a running process.
     */
    public void add(FileStat stat, String name, LinkTarget link, Content content) throws IOException {
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
            entry.setLinkName(link.read());
        } else if (stat.isCharacterDevice() || stat.isBlockDevice()) {
            entry = new TarArchiveEntry(name, stat.isCharacterDevice() ? TarConstants.LF_CHR : TarConstants.LF_BLK);
            entry.setDevMajor(stat.major());
            entry.setDevMinor(stat.minor());
        } else if (stat.isFifo()) {
            entry = new TarArchiveEntry(name, TarConstants.LF_FIFO);
        } else {
            return;
        }
        entry.setMode(stat.permissions());
        entry.setUserId((long) stat.uid());
        entry.setGroupId((long) stat.gid());
        entry.setLastModifiedTime(stat.mtime());
        if (withContent) {
            put(entry, content, () -> "write " + name + ": file changed size while being archived");
        } else {
            put(entry);
        }
    }

    /** Writes an entry that has no bytes: a directory, link, device, fifo or marker. */
    public void put(TarArchiveEntry entry) throws IOException {
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
    }

    /** Writes a regular file whose bytes are {@code content}. */
    public void put(TarArchiveEntry entry, byte[] content) throws IOException {
        entry.setSize(content.length);
        out.putArchiveEntry(entry);
        out.write(content);
        out.closeArchiveEntry();
    }

    /**
     * Writes a regular file of the entry's size, read from {@code content}, opened once the header is written.
     * A source that ends short fails with {@code changedSize} rather than leave a header that lies about what
     * follows (one that runs long is refused by the tar stream itself).
     */
    public void put(TarArchiveEntry entry, Content content, Supplier<String> changedSize) throws IOException {
        out.putArchiveEntry(entry);
        try (InputStream in = content.open()) {
            long copied = in.transferTo(out);
            if (copied != entry.getSize()) {
                throw new IOException(changedSize.get());
            }
        }
        out.closeArchiveEntry();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
