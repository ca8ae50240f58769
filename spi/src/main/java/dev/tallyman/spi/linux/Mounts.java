package dev.tallyman.spi.linux;

import com.sun.jna.NativeLong;
import dev.tallyman.spi.storage.MountSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Performs {@link MountSpec} descriptions with mount(2) and undoes them with umount2(2). */
public final class Mounts {
    /** mount(2) copies at most one page of data; the terminating NUL counts. */
    static final int PAGE_SIZE = 4096;
    private static final int MNT_DETACH = 2;
    private static final int UMOUNT_NOFOLLOW = 8;
    private static final int O_PATH = 010000000;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_CLOEXEC = 02000000;
    /** Stacked mounts at one target are taken off one by one; more than this means something keeps mounting. */
    private static final int MAX_STACKED = 32;

    private Mounts() {
    }

    /**
     * Mounts each description at {@code target}, in order. When one fails, the ones already made are
     * unmounted again, so a failure leaves nothing mounted at {@code target}.
     */
    public static void mount(List<MountSpec> specs, Path target) throws IOException {
        int done = 0;
        try {
            for (MountSpec spec : specs) {
                mount(spec, target);
                done++;
            }
        } catch (IOException | RuntimeException e) {
            for (int i = 0; i < done; i++) {
                try {
                    unmountOnce(target);
                } catch (IOException undo) {
                    e.addSuppressed(undo);
                }
            }
            throw e;
        }
    }

    /** Performs one description at {@code target}. */
    public static void mount(MountSpec spec, Path target) throws IOException {
        MountOptions options = MountOptions.parse(spec.options());
        String what = "mount " + spec.type() + " at " + target;
        String data = options.data();
        int fd = -1;
        try {
            if (data.getBytes(StandardCharsets.UTF_8).length + 1 > PAGE_SIZE && "overlay".equals(spec.type())) {
                fd = openCommonLowerParent(data, what);
                data = shortenLowerDirs(data, fd);
            }
            if (data.getBytes(StandardCharsets.UTF_8).length + 1 > PAGE_SIZE) {
                throw new IOException(what + ": mount data is " + data.length() + " bytes, more than a page");
            }
            call(spec.source(), target, spec.type(), options.flags(), data.isEmpty() ? null : data, what);
        } finally {
            if (fd >= 0) {
                LibC.INSTANCE.close(fd);
            }
        }
        try {
            if (options.bindNeedsRemount()) {
                call("", target, null, options.flags() | MountOptions.MS_REMOUNT, null, "remount " + target);
            }
            if (options.propagation() != 0) {
                call("", target, null, options.propagation(), null, "set propagation of " + target);
            }
        } catch (IOException e) {
            try {
                unmountOnce(target);
            } catch (IOException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /**
     * Unmounts everything mounted at {@code target}. Nothing mounted there (or no such path) is fine, so a
     * repeat is safe.
     */
    public static void unmount(Path target) throws IOException {
        for (int i = 0; i < MAX_STACKED && isMountPoint(target); i++) {
            unmountOnce(target);
        }
        if (isMountPoint(target)) {
            throw new IOException("unmount " + target + ": still mounted after " + MAX_STACKED + " unmounts");
        }
    }

    private static void unmountOnce(Path target) throws IOException {
        if (LibC.INSTANCE.umount2(target.toString(), UMOUNT_NOFOLLOW) == 0) {
            return;
        }
        int errno = Errno.last();
        if (errno == Errno.EINVAL || errno == Errno.ENOENT) {
            return; // not a mount point (any more), or gone: the goal is reached
        }
        if (errno == Errno.EBUSY) {
            // Busy means some process still has a file or its working directory under the target, typically a
            // container process that is exiting. Detaching takes the mount out of our namespace now (the
            // layer can be removed and the path reused); the kernel frees it when the last user lets go.
            if (LibC.INSTANCE.umount2(target.toString(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
                return;
            }
            errno = Errno.last();
        }
        throw new ErrnoException("unmount " + target, errno);
    }

    /** Whether something is mounted exactly at {@code path}, according to /proc/self/mountinfo. */
    public static boolean isMountPoint(Path path) throws IOException {
        Path wanted = Files.exists(path) ? path.toRealPath() : path.toAbsolutePath().normalize();
        String name = wanted.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            // Fields: id, parent id, major:minor, root, mount point, ... (proc(5)).
            String[] fields = line.split(" ", 6);
            if (fields.length >= 5 && unescape(fields[4]).equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** mountinfo writes space, tab, newline and backslash as three-digit octal escapes. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    private static void call(String source, Path target, String type, long flags, String data, String what)
            throws IOException {
        if (LibC.INSTANCE.mount(source, target.toString(), type, new NativeLong(flags), data) != 0) {
            throw ErrnoException.last(what);
        }
    }

    /*
     * Long overlay lower lists. mount(2) takes one page of data, and 130 layers under a deep root overflow
     * it. Docker mounts from a child process that chdir()s into its root and passes relative names; a JVM cannot
     * chdir one thread without moving every other thread's relative paths. Instead, when the data is too long
     * and every lower dir sits in one folder (the drivers keep short symlinks in one "l/" folder), we open
     * that folder with O_PATH and name each lower dir as /proc/self/fd/<fd>/<name>: the kernel resolves the
     * path during the call, and the descriptor is closed right after. The file descriptor table is shared by
     * all threads, so this is safe to do concurrently.
     */
    private static int openCommonLowerParent(String data, String what) throws IOException {
        String lower = lowerDirs(data);
        if (lower == null) {
            return -1;
        }
        String parent = null;
        for (String dir : lower.split(":")) {
            Path p = Path.of(dir).getParent();
            if (p == null || (parent != null && !parent.equals(p.toString()))) {
                return -1;
            }
            parent = p.toString();
        }
        int fd = LibC.INSTANCE.open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            throw ErrnoException.last(what + ": open " + parent);
        }
        return fd;
    }

    private static String shortenLowerDirs(String data, int fd) {
        if (fd < 0) {
            return data;
        }
        List<String> words = new ArrayList<>();
        for (String word : data.split(",")) {
            if (word.startsWith("lowerdir=")) {
                List<String> shortNames = new ArrayList<>();
                for (String dir : word.substring("lowerdir=".length()).split(":")) {
                    shortNames.add("/proc/self/fd/" + fd + "/" + Path.of(dir).getFileName());
                }
                words.add("lowerdir=" + String.join(":", shortNames));
            } else {
                words.add(word);
            }
        }
        return String.join(",", words);
    }

    private static String lowerDirs(String data) {
        for (String word : data.split(",")) {
            if (word.startsWith("lowerdir=")) {
                return word.substring("lowerdir=".length());
            }
        }
        return null;
    }
}
