package dev.tallyman.images.registry;

import dev.tallyman.images.reference.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/**
 * Passes a blob through while hashing and counting it, and fails the read that would end it if the blob is
 * not what its descriptor promised: shorter ({@code unexpected EOF}), longer, or with another digest. The
 * failure comes before the reader sees the end of the stream, so a reader that commits only at the end (the
 * content store renames at end of stream) never commits a bad blob.
 */
final class VerifyingInputStream extends FilterInputStream {

    /** The blob differs from its descriptor. */
    static final class VerificationFailed extends IOException {
        VerificationFailed(String message) {
            super(message);
        }
    }

    private final Digest expected;
    private final long size;
    private final MessageDigest sha = Digest.newSha256();
    private final LongConsumer progress;
    private final String what;
    private long read;
    private boolean verified;

    /**
     * @param what     names the blob in messages, e.g. {@code filesystem layer}, {@code image config}
     * @param progress told the running byte count after each read
     */
    VerifyingInputStream(InputStream in, Digest expected, long size, String what, LongConsumer progress) {
        super(in);
        this.expected = expected;
        this.size = size;
        this.what = what;
        this.progress = progress;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (verified) {
            return -1;
        }
        int n = in.read(buffer, offset, length);
        if (n < 0) {
            verify();
            return -1;
        }
        read += n;
        if (read > size) {
            throw new VerificationFailed(what + " verification failed for digest " + expected
                    + ": more than the " + size + " bytes the manifest declares");
        }
        sha.update(buffer, offset, n);
        progress.accept(read);
        return n;
    }

    private void verify() throws IOException {
        if (read < size) {
            throw new VerificationFailed("unexpected EOF: " + what + " " + expected + " ended after " + read
                    + " of " + size + " bytes");
        }
        Digest actual = Digest.fromBytes(sha.digest());
        if (!actual.equals(expected)) {
            throw new VerificationFailed(what + " verification failed for digest " + expected);
        }
        verified = true;
    }

    /** Reads whatever is left, so that the end-of-blob check runs; call once the consumer stopped reading. */
    void drain() throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (read(buffer, 0, buffer.length) >= 0) {
            // reading is the point: the check happens at the end
        }
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(n, 64 * 1024)];
        int got = read(buffer, 0, buffer.length);
        return Math.max(got, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
