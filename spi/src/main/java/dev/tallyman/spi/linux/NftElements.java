package dev.tallyman.spi.linux;

import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Adds and deletes elements of nftables sets and maps in one transaction, over NETLINK_NETFILTER, without
 * starting {@code nft} (whose start and ruleset cache cost milliseconds, and far more on a loaded host). The
 * table and its sets must exist; keys and data are in the set's own byte layout (each part of a concatenation
 * padded to 4 bytes, numbers big-endian). The batch is atomic: when one change fails, none is made.
 * See linux/netfilter/nf_tables.h and nfnetlink.h.
 */
public final class NftElements {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int NETLINK_NETFILTER = 12;
    private static final short NFNL_MSG_BATCH_BEGIN = 0x10;
    private static final short NFNL_MSG_BATCH_END = 0x11;
    private static final int NFNL_SUBSYS_NFTABLES = 10;
    private static final short NFT_MSG_NEWSETELEM = 12;
    private static final short NFT_MSG_DELSETELEM = 14;
    private static final short NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_ACK = 0x4;
    private static final short NLM_F_CREATE = 0x400;
    private static final short NLA_F_NESTED = (short) 0x8000;
    private static final short NFTA_SET_ELEM_LIST_TABLE = 1;
    private static final short NFTA_SET_ELEM_LIST_SET = 2;
    private static final short NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    private static final short NFTA_LIST_ELEM = 1;
    private static final short NFTA_SET_ELEM_KEY = 1;
    private static final short NFTA_SET_ELEM_DATA = 2;
    private static final short NFTA_SET_ELEM_USERDATA = 6;
    private static final short NFTA_DATA_VALUE = 1;
    /** libnftnl's user data type for an element's comment, which {@code nft list} shows. */
    private static final byte NFTNL_UDATA_SET_ELEM_COMMENT = 0;
    public static final int NFPROTO_IPV4 = 2;

    /** One change: add (or keep, when identical) or delete an element of {@code set}. */
    public record Change(boolean add, String set, byte[] key, byte[] data, String comment) {
        public Change {
            Objects.requireNonNull(set, "set");
            Objects.requireNonNull(key, "key");
        }

        public static Change add(String set, byte[] key, byte[] data, String comment) {
            return new Change(true, set, key, data, comment);
        }

        public static Change delete(String set, byte[] key) {
            return new Change(false, set, key, null, null);
        }
    }

    private NftElements() {
    }

    /**
     * Applies the changes to sets of {@code table} (of {@code family}, e.g. {@link #NFPROTO_IPV4}) in one
     * transaction. Adding an element that exists with the same data changes nothing; with other data it fails
     * with EEXIST. Deleting one that does not exist fails with ENOENT, as does a missing table or set.
     */
    public static void apply(int family, String table, List<Change> changes) throws ErrnoException {
        if (changes.isEmpty()) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(256 + changes.size() * 256).order(ByteOrder.nativeOrder());
        int seq = (int) (System.nanoTime() & 0x3fffffff);
        int first = seq + 1;
        header(b, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq, 0, NFNL_SUBSYS_NFTABLES, () -> { });
        int n = 0;
        for (Change change : changes) {
            n++;
            short type = (short) (NFNL_SUBSYS_NFTABLES << 8 | (change.add() ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM));
            short flags = (short) (NLM_F_REQUEST | NLM_F_ACK | (change.add() ? NLM_F_CREATE : 0));
            header(b, type, flags, seq + n, family, 0, () -> {
                string(b, NFTA_SET_ELEM_LIST_TABLE, table);
                string(b, NFTA_SET_ELEM_LIST_SET, change.set());
                int list = begin(b, NFTA_SET_ELEM_LIST_ELEMENTS);
                int element = begin(b, NFTA_LIST_ELEM);
                int key = begin(b, NFTA_SET_ELEM_KEY);
                bytes(b, NFTA_DATA_VALUE, change.key());
                end(b, key);
                if (change.data() != null) {
                    int data = begin(b, NFTA_SET_ELEM_DATA);
                    bytes(b, NFTA_DATA_VALUE, change.data());
                    end(b, data);
                }
                if (change.comment() != null) {
                    byte[] text = change.comment().getBytes(StandardCharsets.UTF_8);
                    int length = Math.min(text.length, 126) + 1;
                    byte[] udata = new byte[2 + length];
                    udata[0] = NFTNL_UDATA_SET_ELEM_COMMENT;
                    udata[1] = (byte) length;
                    System.arraycopy(text, 0, udata, 2, length - 1);
                    bytes(b, NFTA_SET_ELEM_USERDATA, udata);
                }
                end(b, element);
                end(b, list);
            });
        }
        header(b, NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq + n + 1, 0, NFNL_SUBSYS_NFTABLES, () -> { });
        byte[] out = new byte[b.position()];
        System.arraycopy(b.array(), 0, out, 0, out.length);
        int errno = send(out, first, n);
        if (errno != 0) {
            throw new ErrnoException("nft change elements of table " + table, errno);
        }
    }

    /** Sends the batch, reads one answer per change; returns the first error (0: all done). */
    private static int send(byte[] batch, int firstSeq, int answers) throws ErrnoException {
        int fd = LibC.INSTANCE.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        if (fd < 0) {
            throw ErrnoException.last("open netfilter netlink socket");
        }
        try {
            // An answer that never comes must not hang a docker run: give up after five seconds.
            byte[] timeval = new byte[16];
            timeval[0] = 5;
            LibC.INSTANCE.setsockopt(fd, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, timeval, timeval.length);
            if (LibC.INSTANCE.send(fd, batch, new NativeLong(batch.length), 0).intValue() != batch.length) {
                throw ErrnoException.last("send nft batch");
            }
            byte[] in = new byte[16384];
            int seen = 0;
            int error = 0;
            while (seen < answers) {
                int got = LibC.INSTANCE.recv(fd, in, new NativeLong(in.length), 0).intValue();
                if (got < 0) {
                    throw ErrnoException.last("read nft answer");
                }
                ByteBuffer r = ByteBuffer.wrap(in, 0, got).order(ByteOrder.nativeOrder());
                int at = 0;
                while (at + 16 <= got) {
                    int length = r.getInt(at);
                    short type = r.getShort(at + 4);
                    int seq = r.getInt(at + 8);
                    if (type == NLMSG_ERROR && seq >= firstSeq && seq < firstSeq + answers) {
                        seen++;
                        int code = -r.getInt(at + 16);
                        if (code != 0 && error == 0) {
                            error = code;
                        }
                    }
                    if (length < 16) {
                        break;
                    }
                    at += (length + 3) & ~3;
                }
                if (error != 0) {
                    return error; // the kernel aborted the batch; answers for the rest may not come
                }
            }
            return 0;
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    private static void header(ByteBuffer b, short type, short flags, int seq, int family, int resId, Runnable body) {
        int start = b.position();
        b.putInt(0).putShort(type).putShort(flags).putInt(seq).putInt(0);
        b.put((byte) family).put((byte) 0).order(ByteOrder.BIG_ENDIAN).putShort((short) resId).order(ByteOrder.nativeOrder());
        body.run();
        b.putInt(start, b.position() - start);
    }

    private static void string(ByteBuffer b, short type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        byte[] withNul = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withNul, 0, bytes.length);
        bytes(b, type, withNul);
    }

    private static void bytes(ByteBuffer b, short type, byte[] value) {
        b.putShort((short) (4 + value.length)).putShort(type).put(value);
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
    }

    private static int begin(ByteBuffer b, short type) {
        int start = b.position();
        b.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return start;
    }

    private static void end(ByteBuffer b, int start) {
        b.putShort(start, (short) (b.position() - start));
    }
}
