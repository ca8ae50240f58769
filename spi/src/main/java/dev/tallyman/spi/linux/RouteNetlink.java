package dev.tallyman.spi.linux;

import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two rtnetlink requests that would otherwise each cost a fork of {@code ip} on the {@code docker run} path:
 * make a veth pair whose peer lands in another network namespace, and delete a link. Each call opens a
 * NETLINK_ROUTE socket of the calling thread's namespace, sends one request asking for an acknowledgement, and
 * reads the kernel's answer (RFC 3549; linux/rtnetlink.h, linux/if_link.h, linux/veth.h).
 */
public final class RouteNetlink {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int NETLINK_ROUTE = 0;
    private static final short RTM_NEWLINK = 16;
    private static final short RTM_DELLINK = 17;
    private static final short NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_ACK = 0x4;
    private static final short NLM_F_EXCL = 0x200;
    private static final short NLM_F_CREATE = 0x400;
    private static final short IFLA_ADDRESS = 1;
    private static final short IFLA_IFNAME = 3;
    private static final short IFLA_MTU = 4;
    private static final short IFLA_MASTER = 10;
    private static final short IFLA_LINKINFO = 18;
    private static final short IFLA_NET_NS_FD = 28;
    private static final short IFLA_INFO_KIND = 1;
    private static final short IFLA_INFO_DATA = 2;
    private static final short VETH_INFO_PEER = 1;
    private static final short NLA_F_NESTED = (short) 0x8000;
    private static final int IFF_UP = 1;
    private static final int ENODEV = 19;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private RouteNetlink() {
    }

    /**
     * Makes the veth pair {@code name}/{@code peerName}: {@code name} stays here, enslaved to {@code master}
     * and up; {@code peerName} (with {@code peerMac}, {@code 02:42:…}) is created inside the network namespace
     * at {@code peerNamespace}, down. EEXIST when {@code name} exists.
     */
    public static void addVeth(String name, String master, String peerName, String peerMac, Path peerNamespace)
            throws IOException {
        addVeth(name, master, peerName, peerMac, peerNamespace, 0);
    }

    /** As {@link #addVeth(String, String, String, String, Path)}, with both ends at {@code mtu} (0: the kernel's default). */
    public static void addVeth(String name, String master, String peerName, String peerMac, Path peerNamespace, int mtu)
            throws IOException {
        int masterIndex = ifindex(master);
        int nsFd = LibC.INSTANCE.open(peerNamespace.toString(), O_RDONLY | O_CLOEXEC);
        if (nsFd < 0) {
            throw ErrnoException.last("open network namespace " + peerNamespace);
        }
        try {
            Message m = new Message(RTM_NEWLINK, (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
            m.ifinfo(IFF_UP, IFF_UP);
            m.string(IFLA_IFNAME, name);
            m.u32(IFLA_MASTER, masterIndex);
            if (mtu > 0) {
                m.u32(IFLA_MTU, mtu);
            }
            int linkinfo = m.begin(IFLA_LINKINFO);
            m.string(IFLA_INFO_KIND, "veth");
            int data = m.begin(IFLA_INFO_DATA);
            int peer = m.begin(VETH_INFO_PEER);
            m.ifinfo(0, 0);
            m.string(IFLA_IFNAME, peerName);
            m.bytes(IFLA_ADDRESS, mac(peerMac));
            if (mtu > 0) {
                m.u32(IFLA_MTU, mtu);
            }
            m.u32(IFLA_NET_NS_FD, nsFd);
            m.end(peer);
            m.end(data);
            m.end(linkinfo);
            int errno = request(m);
            if (errno != 0) {
                throw new ErrnoException("add veth " + name + " (peer " + peerName + " in " + peerNamespace
                        + ") on " + master, errno);
            }
        } finally {
            LibC.INSTANCE.close(nsFd);
        }
    }

    /** Deletes the link {@code name} (both ends, for a veth). Absent: nothing happens. */
    public static void deleteLink(String name) throws IOException {
        Message m = new Message(RTM_DELLINK, (short) (NLM_F_REQUEST | NLM_F_ACK));
        m.ifinfo(0, 0);
        m.string(IFLA_IFNAME, name);
        int errno = request(m);
        if (errno != 0 && errno != ENODEV) {
            throw new ErrnoException("delete link " + name, errno);
        }
    }

    /** The index of a link of the host's namespace, from sysfs. */
    private static int ifindex(String name) throws IOException {
        Path file = Path.of("/sys/class/net", name, "ifindex");
        try {
            return Integer.parseInt(Files.readString(file).strip());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ErrnoException("find link " + name, ENODEV);
        }
    }

    private static byte[] mac(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("invalid MAC address: " + text);
        }
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }

    /** Sends one request and returns the acknowledgement's errno (0: done). */
    private static int request(Message m) throws ErrnoException {
        int fd = LibC.INSTANCE.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0) {
            throw ErrnoException.last("open netlink socket");
        }
        try {
            byte[] out = m.finish();
            if (LibC.INSTANCE.send(fd, out, new NativeLong(out.length), 0).intValue() != out.length) {
                throw ErrnoException.last("send netlink request");
            }
            byte[] in = new byte[8192];
            while (true) {
                int n = LibC.INSTANCE.recv(fd, in, new NativeLong(in.length), 0).intValue();
                if (n < 0) {
                    throw ErrnoException.last("read netlink answer");
                }
                ByteBuffer b = ByteBuffer.wrap(in, 0, n).order(ByteOrder.nativeOrder());
                int at = 0;
                while (at + 16 <= n) {
                    int length = b.getInt(at);
                    short type = b.getShort(at + 4);
                    int seq = b.getInt(at + 8);
                    if (type == NLMSG_ERROR && seq == m.seq) {
                        return -b.getInt(at + 16);
                    }
                    if (length < 16) {
                        break;
                    }
                    at += align(length);
                }
            }
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    /** A netlink message being written: header, ifinfomsg, attributes (nested ones closed by {@link #end}). */
    private static final class Message {
        private final ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());
        private final int seq = SEQUENCE.incrementAndGet();

        Message(short type, short flags) {
            b.putInt(0).putShort(type).putShort(flags).putInt(seq).putInt(0);
        }

        /** struct ifinfomsg: family, pad, type, index, flags, change. */
        void ifinfo(int flags, int change) {
            b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(0).putInt(flags).putInt(change);
        }

        void string(short type, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
            byte[] withNul = new byte[bytes.length + 1];
            System.arraycopy(bytes, 0, withNul, 0, bytes.length);
            bytes(type, withNul);
        }

        void u32(short type, int value) {
            b.putShort((short) 8).putShort(type).putInt(value);
        }

        void bytes(short type, byte[] value) {
            b.putShort((short) (4 + value.length)).putShort(type).put(value);
            pad();
        }

        int begin(short type) {
            int start = b.position();
            b.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
            return start;
        }

        void end(int start) {
            b.putShort(start, (short) (b.position() - start));
        }

        private void pad() {
            while (b.position() % 4 != 0) {
                b.put((byte) 0);
            }
        }

        byte[] finish() {
            b.putInt(0, b.position());
            byte[] out = new byte[b.position()];
            System.arraycopy(b.array(), 0, out, 0, out.length);
            return out;
        }
    }
}
