package dev.tallyman.spi.linux;

import com.sun.jna.NativeLong;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Network namespaces kept as bind-mounted files, as {@code ip netns add} keeps them: the mount holds the
 * namespace alive without any process in it, so a container's network outlives its processes and the service.
 *
 * <p>Namespaces belong to threads, not to the process. Every call that enters a namespace does it on a fresh,
 * short-lived thread that ends right after, so no thread of the JVM is ever left in a namespace it did not
 * start in (the JVM reuses threads: a pool thread left in a container's namespace would open the next
 * connection there).
 */
public final class NetworkNamespaces {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final long MS_BIND = 4096;
    private static final int MNT_DETACH = 2;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    /** NS_GET_NSTYPE, _IO(0xb7, 0x3): the kind of namespace a descriptor refers to; ENOTTY for other files. */
    private static final long NS_GET_NSTYPE = 0xb703;
    private static final int MAX_STACKED = 8;

    private NetworkNamespaces() {
    }

    /**
     * Makes a new network namespace with loopback up and bind-mounts it onto {@code file}, which is created if
     * missing (its directory must exist). A file that already holds a network namespace is left as it is.
     */
    public static void create(Path file) throws IOException {
        if (isNetworkNamespace(file)) {
            return;
        }
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        onOwnThread(() -> {
            if (LibC.INSTANCE.unshare(CLONE_NEWNET) != 0) {
                throw ErrnoException.last("unshare network namespace for " + file);
            }
            if (LibC.INSTANCE.mount("/proc/thread-self/ns/net", file.toString(), null, new NativeLong(MS_BIND), null) != 0) {
                throw ErrnoException.last("bind network namespace onto " + file);
            }
            try {
                loopbackUp(file);
            } catch (IOException e) {
                LibC.INSTANCE.umount2(file.toString(), MNT_DETACH);
                throw e;
            }
            return null;
        });
    }

    /** Unmounts the namespace at {@code file} and deletes the file. Absent file: nothing happens. */
    public static void remove(Path file) throws IOException {
        for (int i = 0; i < MAX_STACKED; i++) {
            if (LibC.INSTANCE.umount2(file.toString(), MNT_DETACH) != 0) {
                int errno = Errno.last();
                if (errno == Errno.EINVAL || errno == Errno.ENOENT) {
                    break; // not (or no longer) a mount point
                }
                throw new ErrnoException("unmount network namespace " + file, errno);
            }
        }
        try {
            Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
            // removed by someone else meanwhile: the result is the same
        }
    }

    /** True when {@code file} exists and holds a network namespace (a bind mount of one). */
    public static boolean isNetworkNamespace(Path file) throws IOException {
        int fd = LibC.INSTANCE.open(file.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int errno = Errno.last();
            if (errno == Errno.ENOENT) {
                return false;
            }
            throw new ErrnoException("open " + file, errno);
        }
        try {
            return LibC.INSTANCE.ioctl(fd, new NativeLong(NS_GET_NSTYPE)) == CLONE_NEWNET;
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    /**
     * Runs {@code work} on a fresh thread that has entered the namespace at {@code file}, and returns its result.
     * Processes started by {@code work} (through {@link ProcessBuilder}) start in that namespace too: a child
     * inherits the namespaces of the thread that forked it. Files under {@code /proc/thread-self/net/} show
     * the namespace's view (routes, interfaces).
     */
    public static <T> T inside(Path file, Callable<T> work) throws IOException {
        return onOwnThread(() -> {
            int fd = LibC.INSTANCE.open(file.toString(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw ErrnoException.last("open network namespace " + file);
            }
            try {
                if (LibC.INSTANCE.setns(fd, CLONE_NEWNET) != 0) {
                    throw ErrnoException.last("enter network namespace " + file);
                }
            } finally {
                LibC.INSTANCE.close(fd);
            }
            return work.call();
        });
    }

    private static void loopbackUp(Path file) throws IOException {
        try {
            NetDevices.up("lo");
        } catch (ErrnoException e) {
            throw new IOException("in network namespace " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} on a new thread and waits for it; that thread ends with the work, namespaces and all. */
    private static <T> T onOwnThread(Callable<T> work) throws IOException {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = new Thread(task, "netns");
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a namespace operation", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }
}
