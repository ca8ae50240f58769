package dev.tallyman.audit.store;

import java.util.Optional;

/** An append whose expected version did not match the stream; nothing of it was written. */
public class WrongExpectedVersionException extends RuntimeException {
    private final StreamId stream;
    private final ExpectedVersion expected;
    private final Optional<Long> actual;

    public WrongExpectedVersionException(StreamId stream, ExpectedVersion expected, Optional<Long> actual) {
        super("append to stream " + stream + ": expected version " + expected + ", actual "
                + actual.map(String::valueOf).orElse("no stream"));
        this.stream = stream;
        this.expected = expected;
        this.actual = actual;
    }

    public StreamId stream() { return stream; }
    public ExpectedVersion expected() { return expected; }
    /** The stream's last version, or empty when the stream does not exist. */
    public Optional<Long> actual() { return actual; }
}
