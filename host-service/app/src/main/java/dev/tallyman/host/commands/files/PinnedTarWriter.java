package dev.tallyman.host.commands.files;

import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PinnedFile;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The tar of docker cp out of a container, written from descriptors rather than host paths: each entry is
 * opened O_PATH | O_NOFOLLOW under a directory descriptor, and its type, content, link target and children are
 * all read through that descriptor. A process in the container that swaps a folder or file for a symlink to
 * "/" while we read can make the copy fail or include the symlink itself, never a file of the host.
 * Entries are written as docker cp writes them: modes, owners, times, hard links within the copy, devices,
 * fifos; sockets are left out. Closing ends the archive but leaves the caller's stream open.
 */
final class PinnedTarWriter implements Closeable {
    private final TarArchiveOutputStream out;
    private final Map<String, String> linkedInodes = new HashMap<>();

    PinnedTarWriter(OutputStream target) {
        out = new TarArchiveOutputStream(new FilterOutputStream(target) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        });
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        out.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** Writes what {@code file} holds as {@code name}, and for a directory everything below it. */
    void addTree(PinnedFile file, String name) throws IOException {
        FileStat stat = file.stat();
        add(file, stat, name);
        if (stat.isDirectory()) {
            for (String child : file.list()) {
                try (PinnedFile entry = file.openAt(child, PinnedFile.O_PATH, 0)) {
                    addTree(entry, name + "/" + child);
                }
            }
        }
    }

    private void add(PinnedFile file, FileStat stat, String name) throws IOException {
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
            entry.setLinkName(file.readLink());
        } else if (stat.isCharacterDevice() || stat.isBlockDevice()) {
            entry = new TarArchiveEntry(name, stat.isCharacterDevice() ? TarConstants.LF_CHR : TarConstants.LF_BLK);
            entry.setDevMajor(stat.major());
            entry.setDevMinor(stat.minor());
        } else if (stat.isFifo()) {
            entry = new TarArchiveEntry(name, TarConstants.LF_FIFO);
        } else {
            return; // sockets belong to a running process
        }
        entry.setMode(stat.permissions());
        entry.setUserId((long) stat.uid());
        entry.setGroupId((long) stat.gid());
        entry.setLastModifiedTime(stat.mtime());
        out.putArchiveEntry(entry);
        if (withContent) {
            try (InputStream in = file.read()) {
                long copied = in.transferTo(out);
                if (copied != stat.size()) {
                    throw new IOException("write " + name + ": file changed size while being archived");
                }
            }
        }
        out.closeArchiveEntry();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
