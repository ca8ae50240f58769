package dev.tallyman.audit.store;

/**
 * Hears how the store's writes go, for metrics: called on the writer's and the appenders' threads, so an
 * observer must be quick and must not throw.
 */
public interface WriteObserver {
    /** An observer that hears nothing: the store's default. */
    WriteObserver NONE = new WriteObserver() {
    };

    /**
     * One append finished: queued, written in a batch and committed (or failed).
     *
     * @param nanos from the call to the commit (or failure)
     * @param events how many events it carried
     */
    default void appended(long nanos, int events, boolean failed) {
    }

    /**
     * One transaction committed.
     *
     * @param appends the appends it carried (callers sharing one commit)
     * @param events the events it wrote
     * @param nanos the transaction's time, lock to commit
     */
    default void batchCommitted(int appends, int events, long nanos) {
    }
}
