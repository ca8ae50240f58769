package dev.tallyman.host.commands.files;

import dev.tallyman.spi.archive.TarWriter;
import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PinnedFile;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The tar of docker cp out of a container, written from descriptors rather than host paths: each entry is
 * opened O_PATH | O_NOFOLLOW under a directory descriptor, and its type, content, link target and children are
 * all read through that descriptor. A process in the container that swaps a folder or file for a symlink to
 * "/" while we read can make the copy fail or include the symlink itself, never a file of the host.
 * Entries are written as docker cp writes them: modes, owners, times, hard links within the copy, devices,
 * fifos; sockets are left out. Closing ends the archive but leaves the caller's stream open.
 */
final class PinnedTarWriter implements Closeable {
    private final TarWriter out;

    PinnedTarWriter(OutputStream target) {
        out = new TarWriter(target);
    }

    /** Writes what {@code file} holds as {@code name}, and for a directory everything below it. */
    void addTree(PinnedFile file, String name) throws IOException {
        FileStat stat = file.stat();
        out.add(stat, name, file::readLink, file::read);
        if (stat.isDirectory()) {
            for (String child : file.list()) {
                try (PinnedFile entry = file.openAt(child, PinnedFile.O_PATH, 0)) {
                    addTree(entry, name + "/" + child);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
