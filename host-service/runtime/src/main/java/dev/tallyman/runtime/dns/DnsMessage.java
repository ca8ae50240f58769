package dev.tallyman.runtime.dns;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The little of the DNS wire format (RFC 1035, section 4) the embedded server needs: read the header and the
 * one question of a query, and write an answer that repeats the question followed by A records, or no records
 * with a response code. Everything else is forwarded byte for byte.
 *
 * @param id the query's id, copied into the answer
 * @param flags the query's header flags
 * @param name the question's name as asked (case kept, no trailing dot)
 * @param type the question's type ({@link #TYPE_A}, {@link #TYPE_AAAA}, …)
 * @param questionClass the question's class ({@link #CLASS_IN})
 * @param query the query's bytes, header and question section, which the answer repeats
 */
public record DnsMessage(int id, int flags, String name, int type, int questionClass, byte[] query) {
    public static final int TYPE_A = 1;
    public static final int TYPE_AAAA = 28;
    public static final int CLASS_IN = 1;
    public static final int NOERROR = 0;
    public static final int FORMERR = 1;
    public static final int SERVFAIL = 2;
    public static final int NOTIMP = 4;
    static final int HEADER = 12;
    private static final int QR = 0x8000;
    private static final int AA = 0x0400;
    private static final int RD = 0x0100;
    private static final int RA = 0x0080;
    private static final int MAX_NAME = 255;

    /** The name in the form lookups use: lower case, no trailing dot. */
    public String lookupName() {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The query's opcode: 0 for a standard query. */
    public int opcode() {
        return (flags >> 11) & 0xf;
    }

    /** Reads a query of exactly one question; throws {@link IllegalArgumentException} naming what is wrong. */
    public static DnsMessage parse(byte[] packet, int length) {
        if (length < HEADER) {
            throw new IllegalArgumentException("dns message of " + length + " bytes is shorter than its header");
        }
        ByteBuffer b = ByteBuffer.wrap(packet, 0, length);
        int id = b.getShort(0) & 0xffff;
        int flags = b.getShort(2) & 0xffff;
        int questions = b.getShort(4) & 0xffff;
        if ((flags & QR) != 0) {
            throw new IllegalArgumentException("dns message is a response, not a query");
        }
        if (questions != 1) {
            throw new IllegalArgumentException("dns query has " + questions + " questions, not one");
        }
        StringBuilder name = new StringBuilder();
        int at = HEADER;
        while (true) {
            if (at >= length) {
                throw new IllegalArgumentException("dns question name runs past the message");
            }
            int labelLength = packet[at] & 0xff;
            if (labelLength == 0) {
                at++;
                break;
            }
            if ((labelLength & 0xc0) != 0) {
                throw new IllegalArgumentException("dns question name is compressed"); // nothing precedes it to point at
            }
            if (at + 1 + labelLength > length) {
                throw new IllegalArgumentException("dns label runs past the message");
            }
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(packet, at + 1, labelLength, StandardCharsets.ISO_8859_1));
            if (name.length() > MAX_NAME) {
                throw new IllegalArgumentException("dns name longer than 255 characters");
            }
            at += 1 + labelLength;
        }
        if (at + 4 > length) {
            throw new IllegalArgumentException("dns question has no type and class");
        }
        int type = b.getShort(at) & 0xffff;
        int questionClass = b.getShort(at + 2) & 0xffff;
        at += 4;
        byte[] query = new byte[at];
        System.arraycopy(packet, 0, query, 0, at);
        return new DnsMessage(id, flags, name.toString(), type, questionClass, query);
    }

    /** An authoritative answer with one A record per address (none: an empty NOERROR answer). */
    public byte[] answer(List<Inet4Address> addresses, int ttlSeconds) {
        ByteBuffer b = ByteBuffer.allocate(query.length + addresses.size() * 16);
        b.put(query);
        header(b, AA | RA | NOERROR, addresses.size());
        for (Inet4Address address : addresses) {
            b.putShort((short) (0xc000 | HEADER)); // the name: a pointer to the question's
            b.putShort((short) TYPE_A);
            b.putShort((short) CLASS_IN);
            b.putInt(ttlSeconds);
            b.putShort((short) 4);
            b.put(address.getAddress());
        }
        return b.array();
    }

    /** An answer without records carrying {@code rcode} (SERVFAIL, FORMERR, NOTIMP). */
    public byte[] failure(int rcode) {
        ByteBuffer b = ByteBuffer.allocate(query.length);
        b.put(query);
        header(b, RA | rcode, 0);
        return b.array();
    }

    /** An answer without records to a packet that could not be read; only its id (when present) is kept. */
    static byte[] formatError(byte[] packet, int length) {
        byte[] out = new byte[HEADER];
        if (length >= 2) {
            out[0] = packet[0];
            out[1] = packet[1];
        }
        int flags = QR | FORMERR | (length >= 3 ? (packet[2] & 0x01) << 8 : 0);
        out[2] = (byte) (flags >> 8);
        out[3] = (byte) flags;
        return out;
    }

    private void header(ByteBuffer b, int responseFlags, int answers) {
        int opcodeAndRd = flags & (0x7800 | RD);
        b.putShort(2, (short) (QR | opcodeAndRd | responseFlags));
        b.putShort(4, (short) 1);
        b.putShort(6, (short) answers);
        b.putShort(8, (short) 0);
        b.putShort(10, (short) 0);
    }

    /** A query for {@code name} and {@code type} with the given id and recursion desired (tests, forwarding checks). */
    public static byte[] query(int id, String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + name.length() + 2 + 4);
        b.putShort((short) id).putShort((short) RD).putShort((short) 1).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0);
        for (String label : name.split("\\.")) {
            if (!label.isEmpty()) {
                byte[] bytes = label.getBytes(StandardCharsets.ISO_8859_1);
                b.put((byte) bytes.length).put(bytes);
            }
        }
        b.put((byte) 0).putShort((short) type).putShort((short) CLASS_IN);
        byte[] out = new byte[b.position()];
        System.arraycopy(b.array(), 0, out, 0, out.length);
        return out;
    }
}
