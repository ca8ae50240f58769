package dev.tallyman.spi.linux;

import com.sun.jna.NativeLong;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;

/**
 * Configures network interfaces of the calling thread's network namespace with the classic socket ioctls:
 * up, an IPv4 address with its prefix, a default route. No process is started, so inside a container's
 * namespace (entered with {@link NetworkNamespaces#inside}) this costs microseconds instead of a fork of
 * {@code ip}. Each call is repeat-safe.
 */
public final class NetDevices {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final long SIOCADDRT = 0x890B;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCSIFADDR = 0x8916;
    private static final long SIOCSIFNETMASK = 0x891C;
    private static final int IFF_UP = 1;
    private static final int RTF_UP = 0x1;
    private static final int RTF_GATEWAY = 0x2;
    /** struct ifreq: 16 bytes of name, then a 24-byte union (flags, or a struct sockaddr). */
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;
    /** struct rtentry on 64-bit Linux: rt_dst at 8, rt_gateway at 24, rt_genmask at 40, rt_flags at 56. */
    private static final int RTENTRY_SIZE = 120;

    private NetDevices() {
    }

    /** Sets the interface up. */
    public static void up(String name) throws ErrnoException {
        int sock = socket(name);
        try {
            byte[] ifreq = ifreq(name);
            ioctl(sock, SIOCGIFFLAGS, ifreq, "read flags of " + name);
            int flags = (ifreq[16] & 0xff) | (ifreq[17] & 0xff) << 8; // little-endian short
            if ((flags & IFF_UP) == 0) {
                flags |= IFF_UP;
                ifreq[16] = (byte) flags;
                ifreq[17] = (byte) (flags >> 8);
                ioctl(sock, SIOCSIFFLAGS, ifreq, "set " + name + " up");
            }
        } finally {
            LibC.INSTANCE.close(sock);
        }
    }

    /** Gives the interface {@code address/prefixLength} as its primary IPv4 address (replacing an earlier one). */
    public static void setAddress(String name, Inet4Address address, int prefixLength) throws ErrnoException {
        int sock = socket(name);
        try {
            String what = address.getHostAddress() + "/" + prefixLength + " on " + name;
            byte[] ifreq = ifreq(name);
            sockaddr(ifreq, 16, address.getAddress());
            ioctl(sock, SIOCSIFADDR, ifreq, "set address " + what);
            int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
            byte[] maskReq = ifreq(name);
            sockaddr(maskReq, 16, new byte[] {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask});
            ioctl(sock, SIOCSIFNETMASK, maskReq, "set netmask " + what);
        } finally {
            LibC.INSTANCE.close(sock);
        }
    }

    /** Adds a default route through {@code gateway}; one that exists already is left as it is. */
    public static void addDefaultRoute(Inet4Address gateway) throws ErrnoException {
        int sock = socket("route");
        try {
            byte[] rtentry = new byte[RTENTRY_SIZE];
            sockaddr(rtentry, 8, new byte[4]);
            sockaddr(rtentry, 24, gateway.getAddress());
            sockaddr(rtentry, 40, new byte[4]);
            int flags = RTF_UP | RTF_GATEWAY;
            rtentry[56] = (byte) flags;
            rtentry[57] = (byte) (flags >> 8);
            if (LibC.INSTANCE.ioctl(sock, new NativeLong(SIOCADDRT), rtentry) != 0) {
                int errno = Errno.last();
                if (errno != Errno.EEXIST) {
                    throw new ErrnoException("add default route via " + gateway.getHostAddress(), errno);
                }
            }
        } finally {
            LibC.INSTANCE.close(sock);
        }
    }

    private static int socket(String forWhat) throws ErrnoException {
        int sock = LibC.INSTANCE.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (sock < 0) {
            throw ErrnoException.last("open socket to configure " + forWhat);
        }
        return sock;
    }

    private static byte[] ifreq(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name longer than 15 characters: " + name);
        }
        byte[] ifreq = new byte[IFREQ_SIZE];
        System.arraycopy(bytes, 0, ifreq, 0, bytes.length);
        return ifreq;
    }

    /** struct sockaddr_in at {@code offset}: family in host order, port 0, address in network order. */
    private static void sockaddr(byte[] buffer, int offset, byte[] address) {
        buffer[offset] = AF_INET;
        buffer[offset + 1] = 0;
        System.arraycopy(address, 0, buffer, offset + 4, 4);
    }

    private static void ioctl(int sock, long request, byte[] arg, String what) throws ErrnoException {
        if (LibC.INSTANCE.ioctl(sock, new NativeLong(request), arg) != 0) {
            throw ErrnoException.last(what);
        }
    }
}
