package dev.tallyman.images.registry;

/**
 * Receives pull and push progress. Pull and push call it one line at a time (never concurrently, though
 * from several threads) in the order Docker would print the lines; a listener that throws aborts the operation.
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener IGNORE = p -> { };

    void on(Progress progress);

    /** Wraps a listener so that calls from parallel downloads or uploads reach it one at a time. */
    static ProgressListener serialized(ProgressListener listener) {
        Object lock = new Object();
        return p -> {
            synchronized (lock) {
                listener.on(p);
            }
        };
    }
}
