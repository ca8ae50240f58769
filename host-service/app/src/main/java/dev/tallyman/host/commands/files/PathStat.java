package dev.tallyman.host.commands.files;

import dev.tallyman.spi.linux.FileStat;
import java.time.Instant;

/**
 * What {@code docker cp} learns about a path before copying (the X-Docker-Container-Path-Stat header): Go's
 * os.FileMode bits, since the CLI reads the mode as one.
 *
 * @param name       the last element of the path as asked ("hosts" for /etc/hosts)
 * @param linkTarget for a symlink, the path it leads to inside the container, fully resolved; else ""
 */
public record PathStat(String name, long size, long mode, Instant mtime, String linkTarget) {
    private static final long GO_DIR = 1L << 31;
    private static final long GO_SYMLINK = 1L << 27;
    private static final long GO_DEVICE = 1L << 26;
    private static final long GO_NAMED_PIPE = 1L << 25;
    private static final long GO_SOCKET = 1L << 24;
    private static final long GO_SETUID = 1L << 23;
    private static final long GO_SETGID = 1L << 22;
    private static final long GO_CHAR_DEVICE = 1L << 21;
    private static final long GO_STICKY = 1L << 20;

    public boolean isDirectory() {
        return (mode & GO_DIR) != 0;
    }

    /** A unix st_mode as Go's os.FileMode. */
    static long goMode(FileStat stat) {
        long m = stat.mode() & 0777;
        if (stat.isDirectory()) {
            m |= GO_DIR;
        } else if (stat.isSymbolicLink()) {
            m |= GO_SYMLINK;
        } else if (stat.isFifo()) {
            m |= GO_NAMED_PIPE;
        } else if (stat.type() == FileStat.S_IFSOCK) {
            m |= GO_SOCKET;
        } else if (stat.isBlockDevice()) {
            m |= GO_DEVICE;
        } else if (stat.isCharacterDevice()) {
            m |= GO_DEVICE | GO_CHAR_DEVICE;
        }
        if ((stat.mode() & 04000) != 0) {
            m |= GO_SETUID;
        }
        if ((stat.mode() & 02000) != 0) {
            m |= GO_SETGID;
        }
        if ((stat.mode() & 01000) != 0) {
            m |= GO_STICKY;
        }
        return m;
    }
}
