package dev.tallyman.runtime.attach;

import java.io.ByteArrayOutputStream;

/**
 * Watches a client's input for the detach sequence. Input passes through unchanged, except that bytes which
 * could begin the sequence are held back until the next bytes tell: the whole sequence is swallowed and
 * reported; a mismatch releases the held bytes in order.
 *
 * <p>Unlike Docker, which only matches keys that arrive one per read (typed, not pasted), the sequence is
 * found anywhere in the stream, so keys that reach us together in one network read still detach.
 * Not thread-safe: one filter per input stream.
 */
public final class DetachFilter {
    private final byte[] sequence;
    private int matched;

    public DetachFilter(DetachKeys keys) {
        this.sequence = keys.bytes();
    }

    /**
     * What to forward of the next {@code length} bytes of input.
     *
     * @return the bytes for the process, and whether the sequence completed; once it did, the bytes after it are
     *         dropped (the client has detached)
     */
    public Filtered filter(byte[] input, int offset, int length) {
        ByteArrayOutputStream pass = new ByteArrayOutputStream(length + matched);
        for (int i = offset; i < offset + length; i++) {
            byte b = input[i];
            if (b == sequence[matched]) {
                matched++;
                if (matched == sequence.length) {
                    matched = 0;
                    return new Filtered(pass.toByteArray(), true);
                }
                continue;
            }
            // A mismatch: the held bytes were input after all. The current byte may start a new match.
            pass.write(sequence, 0, matched);
            matched = 0;
            if (b == sequence[0]) {
                matched = 1;
                if (sequence.length == 1) {
                    matched = 0;
                    return new Filtered(pass.toByteArray(), true);
                }
            } else {
                pass.write(b);
            }
        }
        return new Filtered(pass.toByteArray(), false);
    }

    public Filtered filter(byte[] input) {
        return filter(input, 0, input.length);
    }

    /** At the end of the input: the bytes held back as a possible start of the sequence. */
    public byte[] flush() {
        byte[] held = java.util.Arrays.copyOf(sequence, matched);
        matched = 0;
        return held;
    }

    /**
     * @param bytes input for the process
     * @param detached whether the client typed the detach sequence
     */
    public record Filtered(byte[] bytes, boolean detached) {
    }
}
