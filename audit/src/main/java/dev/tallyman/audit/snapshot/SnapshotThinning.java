package dev.tallyman.audit.snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Which snapshots to let go once there are more than the history may hold. Boots need only the newest; time
 * travel ({@code /tallyman/v1/state?at=}) starts from the newest one before the instant asked for, so the older
 * ones are thinned evenly rather than dropped: each step removes the snapshot whose neighbours are closest
 * together, so the longest fold a time travel needs grows slowly as the record grows. The oldest snapshot and the
 * {@code keepNewest} newest always stay.
 */
public final class SnapshotThinning {
    private SnapshotThinning() {
    }

    /** The positions to remove from {@code ascending} (sorted, no duplicates) so that at most {@code atMost} remain. */
    public static List<Long> toRemove(List<Long> ascending, int keepNewest, int atMost) {
        if (keepNewest < 1 || atMost < keepNewest + 1) {
            throw new IllegalArgumentException("keep " + keepNewest + " newest of at most " + atMost);
        }
        List<Long> kept = new ArrayList<>(ascending);
        List<Long> removed = new ArrayList<>();
        while (kept.size() > atMost) {
            int best = -1;
            long narrowest = Long.MAX_VALUE;
            // candidates: not the oldest, not among the newest keepNewest
            for (int i = 1; i < kept.size() - keepNewest; i++) {
                long span = kept.get(i + 1) - kept.get(i - 1);
                if (span < narrowest) {
                    narrowest = span;
                    best = i;
                }
            }
            removed.add(kept.remove(best));
        }
        return removed;
    }
}
