package dev.tallyman.runtime.attach;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import dev.tallyman.runtime.ContainerRuntimeException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A connected SOCK_SEQPACKET unix socket (Java's channels know only stream and datagram sockets).
 *
 * <p>One thread may block in {@link #receive} while others send or close: {@link #close} shuts the socket down
 * first, which wakes a blocked receive, and the descriptor is released only when no call is using it, so a
 * late receive never reads a descriptor number the process has since reused.
 */
final class AttachSocket implements AutoCloseable {
    /** sun_path is 108 bytes with its terminating NUL. */
    private static final int MAX_PATH = 107;

    private final int fd;
    private int users;
    private boolean closed;

    private AttachSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Connects to the socket at {@code path}. A path longer than sun_path is reached through its directory,
     * opened with O_PATH and named as /proc/self/fd/N (conmon binds its own socket the same way).
     */
    static AttachSocket connect(Path path) {
        Libc libc = Libc.INSTANCE;
        int fd = libc.socket(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new ContainerRuntimeException("connect " + path + ": socket: " + Libc.lastError());
        }
        int directory = -1;
        try {
            String name = path.toString();
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
                directory = libc.open(path.getParent().toString(), Libc.O_PATH | Libc.O_CLOEXEC);
                if (directory < 0) {
                    throw new ContainerRuntimeException("connect " + path + ": open directory: " + Libc.lastError());
                }
                name = "/proc/self/fd/" + directory + "/" + path.getFileName();
            }
            byte[] address = address(name);
            if (libc.connect(fd, address, address.length) != 0) {
                throw new ContainerRuntimeException("connect " + path + ": " + Libc.lastError());
            }
            AttachSocket socket = new AttachSocket(fd);
            fd = -1;
            return socket;
        } finally {
            if (fd >= 0) {
                libc.close(fd);
            }
            if (directory >= 0) {
                libc.close(directory);
            }
        }
    }

    private static byte[] address(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_PATH) {
            throw new ContainerRuntimeException("connect " + path + ": socket path too long");
        }
        byte[] address = new byte[2 + name.length + 1];
        // sa_family_t in host byte order (little-endian on the hosts we run on), then the NUL-ended path.
        address[0] = (byte) Libc.AF_UNIX;
        System.arraycopy(name, 0, address, 2, name.length);
        return address;
    }

    /**
     * Receives one message into {@code buffer}; returns its length, or -1 at the end (peer closed, or this
     * socket closed). A message longer than the buffer is cut, so the buffer must hold the largest one.
     */
    int receive(byte[] buffer) {
        if (!acquire()) {
            return -1;
        }
        try {
            while (true) {
                long n = Libc.INSTANCE.recv(fd, buffer, new NativeLong(buffer.length), 0).longValue();
                if (n > 0) {
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                int errno = Native.getLastError();
                if (errno == Libc.EINTR) {
                    continue;
                }
                if (isClosed()) {
                    return -1;
                }
                throw new ContainerRuntimeException("read attach socket: " + Libc.INSTANCE.strerror(errno));
            }
        } finally {
            release();
        }
    }

    /** Sends {@code bytes} as one message. */
    void send(byte[] bytes, int offset, int length) {
        if (!acquire()) {
            throw new ContainerRuntimeException("write attach socket: closed");
        }
        try {
            byte[] message = offset == 0 && length == bytes.length ? bytes : Arrays.copyOfRange(bytes, offset,
                    offset + length);
            while (true) {
                long n = Libc.INSTANCE.send(fd, message, new NativeLong(message.length), Libc.MSG_NOSIGNAL)
                        .longValue();
                if (n >= 0) {
                    return;
                }
                int errno = Native.getLastError();
                if (errno != Libc.EINTR) {
                    throw new ContainerRuntimeException("write attach socket: " + Libc.INSTANCE.strerror(errno));
                }
            }
        } finally {
            release();
        }
    }

    /** Half-closes: the peer reads an end of input, and we can still receive. */
    void shutdownOutput() {
        if (!acquire()) {
            return;
        }
        try {
            Libc.INSTANCE.shutdown(fd, Libc.SHUT_WR);
        } finally {
            release();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            Libc.INSTANCE.shutdown(fd, Libc.SHUT_RDWR);
            if (users > 0) {
                return;
            }
        }
        Libc.INSTANCE.close(fd);
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private synchronized boolean acquire() {
        if (closed) {
            return false;
        }
        users++;
        return true;
    }

    private void release() {
        synchronized (this) {
            users--;
            if (!closed || users > 0) {
                return;
            }
        }
        Libc.INSTANCE.close(fd);
    }
}
