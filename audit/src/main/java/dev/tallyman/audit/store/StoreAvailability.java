package dev.tallyman.audit.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether the store's database answers, as the event writer last saw it: UP, or DOWN since a moment with the
 * reason in our words (never SQL text). While DOWN, appends are refused at once instead of waiting behind a
 * database that does not answer, and the writer probes the database until it answers again.
 *
 * @param up     the last write or probe succeeded
 * @param reason why it is down; empty when up
 * @param since  when the current state began
 */
public record StoreAvailability(boolean up, String reason, Instant since) {
    public StoreAvailability {
        reason = reason == null ? "" : reason;
    }

    public static StoreAvailability up(Instant since) {
        return new StoreAvailability(true, "", since);
    }

    public static StoreAvailability down(String reason, Instant since) {
        return new StoreAvailability(false, reason, since);
    }

    public Optional<String> downReason() {
        return up ? Optional.empty() : Optional.of(reason);
    }
}
