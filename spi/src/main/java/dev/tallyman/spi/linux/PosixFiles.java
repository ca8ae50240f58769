package dev.tallyman.spi.linux;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * File calls NIO lacks or only offers while following symlinks: device nodes, ownership and times of a symlink
 * itself, setuid bits, extended attributes. Every call acts on the path itself, never on a symlink's target.
 */
public final class PosixFiles {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** Offset of d_type in glibc's struct dirent on 64-bit Linux: d_ino(8) d_off(8) d_reclen(2). */
    private static final int DIRENT_D_TYPE_OFFSET = 18;

    private PosixFiles() {
    }

    /** Creates a device node or fifo; {@code type} is one of {@link FileStat#S_IFCHR}, S_IFBLK, S_IFIFO. */
    public static void mknod(Path path, int type, int permissions, int major, int minor) throws IOException {
        if (LibC.INSTANCE.mknod(path.toString(), type | (permissions & 07777), makedev(major, minor)) != 0) {
            throw ErrnoException.last("mknod " + path);
        }
    }

    /** Sets owner and group of the path itself (a symlink is not followed). */
    public static void lchown(Path path, int uid, int gid) throws IOException {
        if (LibC.INSTANCE.lchown(path.toString(), uid, gid) != 0) {
            throw ErrnoException.last("lchown " + path);
        }
    }

    /**
     * Sets all 12 permission bits, setuid/setgid/sticky included (NIO drops those). Call after {@link #lchown}:
     * chown clears setuid. Never use on a symlink: chmod(2) would follow it.
     */
    public static void chmod(Path path, int permissions) throws IOException {
        if (LibC.INSTANCE.chmod(path.toString(), permissions & 07777) != 0) {
            throw ErrnoException.last("chmod " + path);
        }
    }

    /** Sets access and modification time of the path itself, symlinks included, to {@code mtime}. */
    public static void setTimes(Path path, FileTime mtime) throws IOException {
        long nanos = mtime.to(TimeUnit.NANOSECONDS);
        long seconds = Math.floorDiv(nanos, 1_000_000_000L);
        long rest = Math.floorMod(nanos, 1_000_000_000L);
        long[] times = {seconds, rest, seconds, rest};
        if (LibC.INSTANCE.utimensat(AT_FDCWD, path.toString(), times, AT_SYMLINK_NOFOLLOW) != 0) {
            throw ErrnoException.last("set times of " + path);
        }
    }

    public static void setXattr(Path path, String name, byte[] value) throws IOException {
        if (LibC.INSTANCE.lsetxattr(path.toString(), name, value, new NativeLong(value.length), 0) != 0) {
            throw ErrnoException.last("set xattr " + name + " on " + path);
        }
    }

    /** The value of an extended attribute, or empty when the path does not have it. */
    public static Optional<byte[]> getXattr(Path path, String name) throws IOException {
        byte[] buffer = new byte[256];
        while (true) {
            long n = LibC.INSTANCE.lgetxattr(path.toString(), name, buffer, new NativeLong(buffer.length)).longValue();
            if (n >= 0) {
                return Optional.of(java.util.Arrays.copyOf(buffer, (int) n));
            }
            int errno = Errno.last();
            if (errno == Errno.ENODATA || errno == Errno.EOPNOTSUPP) {
                return Optional.empty();
            }
            if (errno != Errno.ERANGE || buffer.length >= 1 << 20) {
                throw new ErrnoException("get xattr " + name + " of " + path, errno);
            }
            buffer = new byte[buffer.length * 4];
        }
    }

    /** Names of the path's extended attributes (empty when the file system has none). */
    public static List<String> listXattrs(Path path) throws IOException {
        byte[] buffer = new byte[1024];
        while (true) {
            long n = LibC.INSTANCE.llistxattr(path.toString(), buffer, new NativeLong(buffer.length)).longValue();
            if (n >= 0) {
                List<String> names = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == 0) {
                        if (i > start) {
                            names.add(new String(buffer, start, i - start, StandardCharsets.UTF_8));
                        }
                        start = i + 1;
                    }
                }
                return names;
            }
            int errno = Errno.last();
            if (errno == Errno.EOPNOTSUPP) {
                return List.of();
            }
            if (errno != Errno.ERANGE || buffer.length >= 1 << 20) {
                throw new ErrnoException("list xattrs of " + path, errno);
            }
            buffer = new byte[buffer.length * 4];
        }
    }

    /**
     * Whether readdir(3) in {@code dir} reports entry types (d_type). overlayfs needs it: without it, whiteouts
     * cannot be told from files. Creates and removes a probe file inside {@code dir}.
     */
    public static boolean reportsEntryTypes(Path dir) throws IOException {
        Path probe = Files.createTempDirectory(dir, ".d_type-probe-");
        try {
            Files.createFile(probe.resolve("file"));
            Pointer stream = LibC.INSTANCE.opendir(probe.toString());
            if (stream == null) {
                throw ErrnoException.last("opendir " + probe);
            }
            try {
                for (Pointer entry = LibC.INSTANCE.readdir(stream); entry != null; entry = LibC.INSTANCE.readdir(stream)) {
                    if (entry.getByte(DIRENT_D_TYPE_OFFSET) == 0) {
                        return false;
                    }
                }
                return true;
            } finally {
                LibC.INSTANCE.closedir(stream);
            }
        } finally {
            Files.deleteIfExists(probe.resolve("file"));
            Files.deleteIfExists(probe);
        }
    }

    static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L));
    }

    static int minor(long dev) {
        return (int) ((dev & 0xffL) | ((dev >>> 12) & 0xffffff00L));
    }
}
