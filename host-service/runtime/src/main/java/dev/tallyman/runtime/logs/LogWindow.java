package dev.tallyman.runtime.logs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Docker's {@code --since} and {@code --until} of a logs request, both inclusive; either may be absent. */
record LogWindow(Optional<Instant> since, Optional<Instant> until) {
    boolean isBefore(LogEntry entry) {
        return since.isPresent() && entry.time().isBefore(since.get());
    }

    boolean isAfter(LogEntry entry) {
        return until.isPresent() && entry.time().isAfter(until.get());
    }

    /** The entries inside the window, in order; entries come in time order, so the first one after it ends the walk. */
    List<LogEntry> select(Iterable<LogEntry> entries) {
        List<LogEntry> result = new ArrayList<>();
        for (LogEntry entry : entries) {
            if (isBefore(entry)) {
                continue;
            }
            if (isAfter(entry)) {
                break;
            }
            result.add(entry);
        }
        return result;
    }
}
