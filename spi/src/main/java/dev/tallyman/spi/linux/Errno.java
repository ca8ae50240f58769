package dev.tallyman.spi.linux;

import com.sun.jna.Native;
import java.util.Map;

/** Names and describes errno values the way strace and runc print them: {@code EBUSY (Device or resource busy)}. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int ERANGE = 34;
    public static final int ELOOP = 40;
    public static final int EXDEV = 18;
    public static final int EISDIR = 21;
    public static final int ENOTEMPTY = 39;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"),
            Map.entry(15, "ENOTBLK"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(18, "EXDEV"),
            Map.entry(19, "ENODEV"), Map.entry(20, "ENOTDIR"), Map.entry(21, "EISDIR"), Map.entry(22, "EINVAL"),
            Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"), Map.entry(28, "ENOSPC"), Map.entry(30, "EROFS"),
            Map.entry(31, "EMLINK"), Map.entry(34, "ERANGE"), Map.entry(36, "ENAMETOOLONG"), Map.entry(38, "ENOSYS"),
            Map.entry(39, "ENOTEMPTY"), Map.entry(40, "ELOOP"), Map.entry(61, "ENODATA"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(116, "ESTALE"));

    private Errno() {
    }

    /** The symbolic name of an errno value, or {@code errno <n>} when unknown here. */
    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    /** {@code EBUSY (Device or resource busy)}. */
    public static String describe(int errno) {
        return name(errno) + " (" + LibC.INSTANCE.strerror(errno) + ")";
    }

    /** The errno the last native call on this thread left. */
    static int last() {
        return Native.getLastError();
    }
}
