package dev.tallyman.images.archive;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.reference.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Copies an uncompressed layer tar to a file while hashing it and walking its headers as Go's archive/tar
 * does, so that a stream Docker would refuse is refused here with Go's words before any layer is made.
 * The diff id covers every byte of the stream, trailing bytes after the end-of-archive blocks included,
 * as Docker's layer store hashes what it read.
 */
final class TarSpool {
    private static final int BLOCK = 512;
    private static final int MAX_PAX_HEADER = 1 << 20;
    static final String INVALID_HEADER = "archive/tar: invalid tar header";
    static final String UNEXPECTED_EOF = "unexpected EOF";

    /** The digest and length of what was copied. */
    record Result(Digest diffId, long bytes) {
    }

    private final InputStream in;
    private final OutputStream out;
    private final MessageDigest sha = Digest.newSha256();
    private long bytes;

    private TarSpool(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** Copies {@code tar} to {@code file}; a stream that is not a whole tar fails with INVALID_PARAMETER. */
    static Result copy(InputStream tar, OutputStream file) throws IOException {
        TarSpool spool = new TarSpool(tar, file);
        spool.walk();
        spool.drain();
        return new Result(Digest.fromBytes(spool.sha.digest()), spool.bytes);
    }

    private void walk() throws IOException {
        byte[] header = new byte[BLOCK];
        long paxSize = -1;
        while (true) {
            int n = readBlock(header);
            if (n == 0) {
                return; // an empty stream, or one ending at a block boundary, is a whole (maybe empty) archive
            }
            if (n < BLOCK) {
                throw ImageException.invalid(UNEXPECTED_EOF);
            }
            if (isZero(header)) {
                int second = readBlock(header);
                if (second == 0 || (second == BLOCK && isZero(header))) {
                    return;
                }
                throw ImageException.invalid(second < BLOCK ? UNEXPECTED_EOF : INVALID_HEADER);
            }
            if (!checksumMatches(header)) {
                throw ImageException.invalid(INVALID_HEADER);
            }
            char type = (char) header[156];
            long size = size(header);
            if (paxSize >= 0 && type != 'x' && type != 'g') {
                size = paxSize;
                paxSize = -1;
            }
            if (isHeaderOnly(type)) {
                size = 0;
            }
            if (type == 'x') {
                paxSize = paxSizeRecord(readData(size));
            } else {
                skipData(size);
            }
        }
    }

    private static boolean isHeaderOnly(char type) {
        return type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
    }

    private int readBlock(byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        record(block, n);
        return n;
    }

    // A failed write is the host's fault (a full disk), not the user's stream: keep it apart from read errors.
    private void record(byte[] buffer, int n) {
        if (n > 0) {
            sha.update(buffer, 0, n);
            try {
                out.write(buffer, 0, n);
            } catch (IOException e) {
                throw new UncheckedIOException("write spooled layer: " + e.getMessage(), e);
            }
            bytes += n;
        }
    }

    private void skipData(long size) throws IOException {
        long remaining = padded(size);
        byte[] buffer = new byte[64 * 1024];
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw ImageException.invalid(UNEXPECTED_EOF);
            }
            record(buffer, n);
            remaining -= n;
        }
    }

    private byte[] readData(long size) throws IOException {
        if (size > MAX_PAX_HEADER) {
            throw ImageException.invalid("archive/tar: header field too long");
        }
        byte[] data = in.readNBytes((int) padded(size));
        record(data, data.length);
        if (data.length < padded(size)) {
            throw ImageException.invalid(UNEXPECTED_EOF);
        }
        return Arrays.copyOf(data, (int) size);
    }

    // Docker reads on after the end-of-archive blocks, and the diff id covers those bytes too.
    private void drain() throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            record(buffer, n);
        }
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    // Tar checksums sum the header with the checksum field read as spaces; old writers summed signed bytes.
    private static boolean checksumMatches(byte[] header) {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : header[i];
            unsigned += b & 0xff;
            signed += (byte) b;
        }
        long stored;
        try {
            stored = octal(header, 148, 8);
        } catch (NumberFormatException e) {
            return false;
        }
        return stored == unsigned || stored == signed;
    }

    private static long size(byte[] header) {
        if ((header[124] & 0x80) != 0) {
            // GNU base-256: big-endian two's complement in the remaining bits.
            long value = header[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                value = (value << 8) | (header[i] & 0xff);
            }
            if (value < 0) {
                throw ImageException.invalid(INVALID_HEADER);
            }
            return value;
        }
        try {
            return octal(header, 124, 12);
        } catch (NumberFormatException e) {
            throw ImageException.invalid(INVALID_HEADER);
        }
    }

    private static long octal(byte[] header, int offset, int length) {
        String text = new String(header, offset, length, StandardCharsets.US_ASCII).replace('\0', ' ').strip();
        if (text.isEmpty()) {
            return 0;
        }
        return Long.parseLong(text, 8);
    }

    // PAX records are "<length> <key>=<value>\n"; only the size override changes how the stream is walked.
    private static long paxSizeRecord(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        long size = -1;
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space < 0) {
                continue;
            }
            String record = line.substring(space + 1);
            if (record.startsWith("size=")) {
                try {
                    size = Long.parseLong(record.substring(5));
                } catch (NumberFormatException e) {
                    throw ImageException.invalid(INVALID_HEADER);
                }
            }
        }
        return size;
    }
}
