package dev.tallyman.host.projections;

/** A short id that matches more than one object; Docker answers it with 400 "multiple IDs found with provided prefix". */
public class AmbiguousReferenceException extends RuntimeException {
    public AmbiguousReferenceException(String prefix) {
        super("multiple IDs found with provided prefix: " + prefix);
    }
}
