package dev.tallyman.images.registry;

/**
 * Lets a progress line through at most every 100 ms, plus the last one, so a fast loopback pull sends the
 * CLI tens of lines a second rather than one per buffer. Used by one thread at a time.
 */
final class Throttle {
    private static final long INTERVAL_NANOS = 100_000_000L;
    private long last = System.nanoTime() - INTERVAL_NANOS;

    /** Whether to emit now; {@code last} forces it (the final count). */
    boolean due(boolean lastOne) {
        long now = System.nanoTime();
        if (lastOne || now - last >= INTERVAL_NANOS) {
            last = now;
            return true;
        }
        return false;
    }
}
