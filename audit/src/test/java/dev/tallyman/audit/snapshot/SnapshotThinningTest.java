package dev.tallyman.audit.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SnapshotThinningTest {
    @Test
    void nothingGoesWhileTheHistoryHasRoom() {
        assertThat(SnapshotThinning.toRemove(List.of(50L, 100L, 150L), 2, 3)).isEmpty();
    }

    @Test
    void theOldestAndTheNewestStay() {
        List<Long> all = LongStream.rangeClosed(1, 10).map(i -> i * 50).boxed().toList();
        List<Long> removed = SnapshotThinning.toRemove(all, 2, 4);
        assertThat(removed).hasSize(6).doesNotContain(50L, 450L, 500L);
    }

    @Test
    void aGrowingRecordKeepsItsHistoryEvenlySpread() {
        // a snapshot every 50 events for 100,000 events, thinned after each one as the service does
        List<Long> kept = new ArrayList<>();
        for (long p = 50; p <= 100_000; p += 50) {
            kept.add(p);
            kept.removeAll(SnapshotThinning.toRemove(kept, 2, 20));
        }
        assertThat(kept).hasSize(20).startsWith(50L).endsWith(99_950L, 100_000L);
        long widest = 0;
        for (int i = 1; i < kept.size(); i++) {
            widest = Math.max(widest, kept.get(i) - kept.get(i - 1));
        }
        // 20 snapshots over 100,000 events: no fold from one to the next is much longer than an even share
        assertThat(widest).isLessThanOrEqualTo(2 * 100_000 / 19);
    }
}
