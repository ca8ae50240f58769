package dev.tallyman.spi.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A file or directory held by a descriptor, so that whatever is done to it or below it happens to that very
 * inode, whatever is renamed or swapped for a symlink meanwhile. Paths given to it are looked up relative to
 * it: one name ({@code openAt}, {@code mkdirAt}, ...), whose last component is never followed, or a whole path
 * resolved with {@code openat2(2)}'s RESOLVE_IN_ROOT ({@link #openInRoot}), where this directory is the root:
 * {@code ..} stops at it and an absolute symlink starts again from it, as inside a container.
 * The descriptor is closed with {@link #close}.
 */
public final class PinnedFile implements AutoCloseable {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_REMOVEDIR = 0x200;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final long SYS_OPENAT2 = 437;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_IN_ROOT = 0x10;
    private static final int EAGAIN = 11;
    /** struct stat on x86_64. */
    private static final int STAT_SIZE = 144;

    private interface Calls extends Library {
        Calls INSTANCE = Native.load("c", Calls.class);

        int open(String path, int flags, int mode);

        int openat(int dirfd, String path, int flags, int mode);

        /** openat2(dirfd, path, struct open_how *how, size_t size). */
        NativeLong syscall(NativeLong number, int dirfd, String path, Memory how, NativeLong size);

        int fstatat(int dirfd, String path, Memory stat, int flags);

        NativeLong readlinkat(int dirfd, String path, byte[] buffer, NativeLong size);

        int mkdirat(int dirfd, String path, int mode);

        int symlinkat(String target, int dirfd, String path);

        int mknodat(int dirfd, String path, int mode, long dev);

        int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);

        int unlinkat(int dirfd, String path, int flags);

        int fchownat(int dirfd, String path, int uid, int gid, int flags);

        int chmod(String path, int mode);

        int utimensat(int dirfd, String path, long[] times, int flags);

        int close(int fd);
    }

    private final int fd;
    private final String shown;
    private boolean closed;

    private PinnedFile(int fd, String shown) {
        this.fd = fd;
        this.shown = shown;
    }

    /** Opens a directory of the host as a root to resolve paths in. */
    public static PinnedFile openDirectory(Path directory) throws IOException {
        int fd = Calls.INSTANCE.open(directory.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0) {
            throw ErrnoException.last("open " + directory);
        }
        return new PinnedFile(fd, directory.toString());
    }

    /**
     * Resolves {@code path} with this directory as the root (RESOLVE_IN_ROOT), never through a /proc magic link,
     * and opens it with {@code flags} (O_CLOEXEC is added; add O_NOFOLLOW to take a last-component symlink itself).
     * The kernel may ask for a retry when something was renamed during the walk; that is done here.
     */
    public PinnedFile openInRoot(String path, int flags) throws IOException {
        Memory how = new Memory(24);
        how.setLong(0, flags | O_CLOEXEC);
        how.setLong(8, 0);
        how.setLong(16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        String relative = path.isEmpty() ? "." : path;
        for (int attempt = 0; ; attempt++) {
            long result = Calls.INSTANCE.syscall(new NativeLong(SYS_OPENAT2), fd, relative, how, new NativeLong(24)).longValue();
            if (result >= 0) {
                return new PinnedFile((int) result, path);
            }
            int errno = Native.getLastError();
            if (errno != EAGAIN || attempt >= 100) {
                throw new ErrnoException("open " + path, errno);
            }
        }
    }

    /** Opens the entry {@code name} of this directory; a symlink there is never followed (O_NOFOLLOW). */
    public PinnedFile openAt(String name, int flags, int mode) throws IOException {
        int child = Calls.INSTANCE.openat(fd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
        if (child < 0) {
            throw ErrnoException.last("open " + name);
        }
        return new PinnedFile(child, name);
    }

    /** What this descriptor holds, a symlink itself included. */
    public FileStat stat() throws IOException {
        FileStat stat = statOf("", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
        if (stat == null) {
            throw new ErrnoException("stat " + shown, Errno.ENOENT);
        }
        return stat;
    }

    /** lstat of the entry {@code name} of this directory, or null when there is none. */
    public FileStat statAt(String name) throws IOException {
        return statOf(name, AT_SYMLINK_NOFOLLOW);
    }

    private FileStat statOf(String name, int flags) throws IOException {
        Memory st = new Memory(STAT_SIZE);
        if (Calls.INSTANCE.fstatat(fd, name, st, flags) != 0) {
            int errno = Native.getLastError();
            if (errno == Errno.ENOENT) {
                return null;
            }
            throw new ErrnoException("stat " + (name.isEmpty() ? shown : name), errno);
        }
        long mtime = st.getLong(88) * 1_000_000_000L + st.getLong(96);
        return new FileStat(st.getInt(24), st.getInt(28), st.getInt(32), st.getLong(40), st.getLong(0), st.getLong(8),
                (int) st.getLong(16), st.getLong(48), FileTime.from(mtime, TimeUnit.NANOSECONDS));
    }

    /** The target of the symlink this descriptor holds (opened with O_PATH | O_NOFOLLOW). */
    public String readLink() throws IOException {
        byte[] buffer = new byte[4097];
        long n = Calls.INSTANCE.readlinkat(fd, "", buffer, new NativeLong(buffer.length)).longValue();
        if (n < 0) {
            throw ErrnoException.last("readlink " + shown);
        }
        return new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
    }

    public void mkdirAt(String name, int mode) throws IOException {
        if (Calls.INSTANCE.mkdirat(fd, name, mode) != 0) {
            throw ErrnoException.last("mkdir " + name);
        }
    }

    public void symlinkAt(String target, String name) throws IOException {
        if (Calls.INSTANCE.symlinkat(target, fd, name) != 0) {
            throw ErrnoException.last("symlink " + name);
        }
    }

    /** A device node or fifo; {@code type} is {@link FileStat#S_IFCHR}, S_IFBLK or S_IFIFO. */
    public void mknodAt(String name, int type, int permissions, int major, int minor) throws IOException {
        if (Calls.INSTANCE.mknodat(fd, name, type | (permissions & 07777), PosixFiles.makedev(major, minor)) != 0) {
            throw ErrnoException.last("mknod " + name);
        }
    }

    /** Makes {@code name} in this directory a hard link to the inode {@code existing} holds. */
    public void linkAt(PinnedFile existing, String name) throws IOException {
        if (Calls.INSTANCE.linkat(existing.fd, "", fd, name, AT_EMPTY_PATH) != 0) {
            throw ErrnoException.last("link " + name);
        }
    }

    /** Removes the entry {@code name}, and when it is a directory everything in it, never leaving this directory. */
    public void removeAt(String name) throws IOException {
        FileStat stat = statAt(name);
        if (stat == null) {
            return;
        }
        if (stat.isDirectory()) {
            try (PinnedFile dir = openAt(name, O_RDONLY | O_DIRECTORY, 0)) {
                for (String child : dir.list()) {
                    dir.removeAt(child);
                }
            }
        }
        if (Calls.INSTANCE.unlinkat(fd, name, stat.isDirectory() ? AT_REMOVEDIR : 0) != 0) {
            throw ErrnoException.last("remove " + name);
        }
    }

    /** Owner and group of the entry {@code name} itself (a symlink is not followed). */
    public void chownAt(String name, int uid, int gid) throws IOException {
        if (Calls.INSTANCE.fchownat(fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
            throw ErrnoException.last("chown " + name);
        }
    }

    /** All 12 permission bits of what this descriptor holds; never call it on a symlink. */
    public void chmod(int permissions) throws IOException {
        if (Calls.INSTANCE.chmod(procPath(), permissions & 07777) != 0) {
            throw ErrnoException.last("chmod " + shown);
        }
    }

    /** Access and modification time of the entry {@code name} itself, symlinks included. */
    public void setTimesAt(String name, FileTime mtime) throws IOException {
        long nanos = mtime.to(TimeUnit.NANOSECONDS);
        long seconds = Math.floorDiv(nanos, 1_000_000_000L);
        long rest = Math.floorMod(nanos, 1_000_000_000L);
        if (Calls.INSTANCE.utimensat(fd, name, new long[] {seconds, rest, seconds, rest}, AT_SYMLINK_NOFOLLOW) != 0) {
            throw ErrnoException.last("set times of " + name);
        }
    }

    /** The entries of this directory, sorted by name. */
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of(procPath()))) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }

    /** Reads what this descriptor holds (a regular file): the descriptor is reopened through /proc, same inode. */
    public InputStream read() throws IOException {
        return new FileInputStream(procPath());
    }

    /** Writes what this descriptor holds (a regular file just created). */
    public OutputStream write() throws IOException {
        return new FileOutputStream(procPath());
    }

    /** Where this directory lies as our mount namespace sees it, for a message or to strip a root's prefix. */
    public String hostPath() throws IOException {
        return Files.readSymbolicLink(Path.of(procPath())).toString();
    }

    private String procPath() {
        return "/proc/self/fd/" + fd;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Calls.INSTANCE.close(fd);
        }
    }
}
