package dev.tallyman.host.projections;

import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.Intent;
import dev.tallyman.audit.store.RecordedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every intent on the record that no outcome has followed yet, whatever its stream. An outcome closes the
 * intent of its own request: same stream, same correlation id, and a type the intent names among its
 * {@link Intent#outcomes()}. The reconcilers start from here instead of reading streams one by one, which is
 * what lets images keep a stream each and the periodic reconciler find what a failed handler left open.
 */
public final class OpenIntentLedger {

    /**
     * One open intent; plain strings and numbers only, since the state goes into snapshots as it is.
     *
     * @param intentType the stored type name ({@code container.start-requested})
     * @param closers the class names of the outcomes that close it
     */
    public record Entry(long position, String stream, String correlationId, String intentType, List<String> closers,
                        Instant occurredAt) {
    }

    /** Position → entry, oldest first. */
    private final Map<Long, Entry> open = new LinkedHashMap<>();
    /** Correlation id → positions of its open intents; a request may hold several (rm -f: kill, then remove). */
    private final Map<String, List<Long>> byCorrelation = new HashMap<>();

    void apply(RecordedEvent recorded) {
        Event event = recorded.event();
        String correlation = recorded.correlationId().toString();
        List<Long> positions = byCorrelation.get(correlation);
        if (positions != null) {
            String type = event.getClass().getName();
            String stream = recorded.stream().value();
            for (Long position : positions) {
                Entry entry = open.get(position);
                if (entry.stream().equals(stream) && entry.closers().contains(type)) {
                    open.remove(position);
                    positions.remove(position);
                    if (positions.isEmpty()) {
                        byCorrelation.remove(correlation);
                    }
                    break;
                }
            }
        }
        if (event instanceof Intent intent) {
            open.put(recorded.position(), new Entry(recorded.position(), recorded.stream().value(), correlation,
                    recorded.type(), intent.outcomes().stream().map(Class::getName).toList(),
                    recorded.occurredAt()));
            byCorrelation.computeIfAbsent(correlation, k -> new ArrayList<>()).add(recorded.position());
        }
    }

    /** The open intents, oldest first. */
    public List<Entry> all() {
        return List.copyOf(open.values());
    }

    public int size() {
        return open.size();
    }
}
