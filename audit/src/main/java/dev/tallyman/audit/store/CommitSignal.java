package dev.tallyman.audit.store;

import java.time.Duration;

/**
 * A wake-up that a store gives after each commit inside this JVM, so a tail can sleep until there is
 * something to read instead of polling fast. It is a hint only: a tail still reads the store to find out what
 * was committed, and still polls now and then for writers in other processes.
 */
public final class CommitSignal {
    private long lastCommitted;
    // The tails following this store in this JVM, for the relay lag metric.
    private final java.util.Set<EventTail> followers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Called by the store after a commit whose last event has this position. */
    public synchronized void committed(long position) {
        if (position > lastCommitted) {
            lastCommitted = position;
        }
        notifyAll();
    }

    /**
     * Waits until a commit beyond {@code position} is signalled or the timeout passes.
     *
     * @return whether such a commit was signalled
     */
    public synchronized boolean awaitBeyond(long position, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lastCommitted <= position) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            long millis = Math.max(1, left / 1_000_000);
            wait(millis);
        }
        return true;
    }

    /** The last position signalled, 0 before any. */
    public synchronized long lastCommitted() {
        return lastCommitted;
    }

    void follow(EventTail tail) {
        followers.add(tail);
    }

    void unfollow(EventTail tail) {
        followers.remove(tail);
    }

    /**
     * How many committed events the furthest-behind live tail (docker events, a relay) has yet to deliver;
     * 0 when none follows. A tail that keeps up stays at 0 or close to it.
     */
    public long followerLag() {
        long last = lastCommitted();
        long lag = 0;
        for (EventTail tail : followers) {
            lag = Math.max(lag, last - tail.position());
        }
        return lag;
    }
}
