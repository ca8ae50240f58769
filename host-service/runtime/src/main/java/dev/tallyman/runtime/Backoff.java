package dev.tallyman.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * The pause between two looks at something runc or conmon will soon write (a pid file, a socket, an exit). The
 * first looks come quickly because the answer usually arrives within milliseconds; the pause then doubles up to
 * a cap, so fifty waiters at once do not spend the processor runc itself needs to finish.
 */
public final class Backoff {
    private static final long FIRST_NANOS = 100_000;
    private static final long CAP_NANOS = 5_000_000;

    private long next = FIRST_NANOS;

    /** Parks the calling thread for the current pause and lengthens the next one. */
    public void pause() {
        LockSupport.parkNanos(next);
        next = Math.min(next * 2, CAP_NANOS);
    }
}
