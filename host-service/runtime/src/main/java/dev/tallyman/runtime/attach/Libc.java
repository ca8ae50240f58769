package dev.tallyman.runtime.attach;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * The libc calls Java has no API for: a SOCK_SEQPACKET unix socket (conmon's attach socket) and a
 * non-blocking open of a fifo. Callers read errno with {@link Native#getLastError()}.
 */
interface Libc extends Library {
    Libc INSTANCE = Native.load("c", Libc.class);

    int AF_UNIX = 1;
    int SOCK_SEQPACKET = 5;
    int SOCK_CLOEXEC = 0x80000;
    int SHUT_WR = 1;
    int SHUT_RDWR = 2;
    int MSG_NOSIGNAL = 0x4000;
    int O_WRONLY = 1;
    int O_PATH = 0x200000;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int EINTR = 4;
    int EAGAIN = 11;
    int ENXIO = 6;

    int socket(int domain, int type, int protocol);

    /** addr is a struct sockaddr_un laid out by the caller. */
    int connect(int fd, byte[] addr, int length);

    NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags);

    NativeLong send(int fd, byte[] buffer, NativeLong length, int flags);

    int shutdown(int fd, int how);

    int open(String path, int flags);

    NativeLong write(int fd, byte[] buffer, NativeLong length);

    int close(int fd);

    String strerror(int errnum);

    /** "cause" for an error message: strerror of the last errno of this thread. */
    static String lastError() {
        return INSTANCE.strerror(Native.getLastError());
    }
}
