package dev.tallyman.audit.store;

/**
 * What the writer believes about a stream before appending: that it does not exist yet, that its last
 * event has exactly version n (versions start at 0), or nothing at all. A wrong belief fails the append.
 */
public sealed interface ExpectedVersion {

    record NoStream() implements ExpectedVersion {
    }

    record Exactly(long version) implements ExpectedVersion {
        public Exactly {
            if (version < 0) {
                throw new IllegalArgumentException("a stream version is never negative: " + version);
            }
        }
    }

    record Any() implements ExpectedVersion {
    }

    static ExpectedVersion noStream() {
        return new NoStream();
    }

    static ExpectedVersion exactly(long version) {
        return new Exactly(version);
    }

    static ExpectedVersion any() {
        return new Any();
    }
}
