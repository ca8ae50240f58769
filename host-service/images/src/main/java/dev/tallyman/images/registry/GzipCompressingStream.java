package dev.tallyman.images.registry;

import dev.tallyman.images.reference.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Reads as the gzip of another stream, compressing only as fast as it is read, and knows the digest and
 * length of what it produced once at its end: push streams a layer's stored tar to the registry this way,
 * learning the blob's digest just in time for the closing {@code PUT ?digest=}.
 */
final class GzipCompressingStream extends InputStream {
    private static final int CHUNK = 64 * 1024;

    private final InputStream source;
    private final Pending pending = new Pending();
    private final GZIPOutputStream gzip;
    private final byte[] chunk = new byte[CHUNK];
    private boolean finished;
    private Digest digest;

    /** Bytes produced and not yet read, hashed and counted as they are produced. */
    private static final class Pending extends OutputStream {
        private final MessageDigest sha = Digest.newSha256();
        private byte[] bytes = new byte[CHUNK * 2];
        private int start;
        private int end;
        private long produced;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            sha.update(data, offset, length);
            produced += length;
            if (end + length > bytes.length) {
                int live = end - start;
                byte[] grown = live + length > bytes.length ? new byte[Math.max(bytes.length * 2, live + length)] : bytes;
                System.arraycopy(bytes, start, grown, 0, live);
                bytes = grown;
                start = 0;
                end = live;
            }
            System.arraycopy(data, offset, bytes, end, length);
            end += length;
        }

        int available() {
            return end - start;
        }

        int take(byte[] into, int offset, int length) {
            int n = Math.min(length, end - start);
            System.arraycopy(bytes, start, into, offset, n);
            start += n;
            return n;
        }
    }

    /** Fast compression: a loopback push is bound by the CPU, and the bytes need not be Docker's. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, CHUNK);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    GzipCompressingStream(InputStream source) {
        this.source = source;
        try {
            this.gzip = new FastGzip(pending);
        } catch (IOException e) {
            throw new IllegalStateException("gzip header into memory cannot fail", e);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (pending.available() == 0 && !finished) {
            int n = source.read(chunk);
            if (n < 0) {
                gzip.finish();
                finished = true;
            } else {
                gzip.write(chunk, 0, n);
            }
        }
        if (pending.available() == 0) {
            return -1;
        }
        return pending.take(buffer, offset, length);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    /** The digest of the whole compressed stream; only once it was read to its end. */
    Digest digest() {
        if (!finished || pending.available() > 0) {
            throw new IllegalStateException("compressed stream not read to its end");
        }
        if (digest == null) {
            digest = Digest.fromBytes(pending.sha.digest());
        }
        return digest;
    }

    /** Bytes produced in all; only once it was read to its end. */
    long size() {
        return pending.produced;
    }
}
