package dev.tallyman.spi.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls Java's NIO does not offer. Callers check the return value and read errno with
 * {@link Native#getLastError()}; {@link Errno} turns it into a message.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int mount(String source, String target, String fstype, NativeLong flags, String data);

    int umount2(String target, int flags);

    /** glibc 2.33 and later export mknod itself; dev_t is 64 bits. */
    int mknod(String path, int mode, long dev);

    int lchown(String path, int uid, int gid);

    int chmod(String path, int mode);

    /** times is struct timespec[2]: atime seconds, atime nanoseconds, mtime seconds, mtime nanoseconds. */
    int utimensat(int dirfd, String path, long[] times, int flags);

    int lsetxattr(String path, String name, byte[] value, NativeLong size, int flags);

    NativeLong lgetxattr(String path, String name, byte[] value, NativeLong size);

    NativeLong llistxattr(String path, byte[] list, NativeLong size);

    int open(String path, int flags);

    int close(int fd);

    Pointer opendir(String path);

    Pointer readdir(Pointer dir);

    int closedir(Pointer dir);

    String strerror(int errnum);

    /** Moves the calling thread into new namespaces; only the thread, for CLONE_NEWNET. */
    int unshare(int flags);

    /** Moves the calling thread into the namespace {@code fd} refers to. */
    int setns(int fd, int nstype);

    int socket(int domain, int type, int protocol);

    /** ioctl with a buffer argument (struct ifreq and the like). */
    int ioctl(int fd, NativeLong request, byte[] arg);

    int setsockopt(int fd, int level, int optname, byte[] optval, int optlen);

    NativeLong send(int fd, byte[] buffer, NativeLong length, int flags);

    NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags);

    /** ioctl without an argument (NS_GET_NSTYPE and the like). */
    int ioctl(int fd, NativeLong request);
}
