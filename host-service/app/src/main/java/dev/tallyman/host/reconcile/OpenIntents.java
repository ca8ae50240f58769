package dev.tallyman.host.reconcile;

import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.Intent;
import dev.tallyman.audit.store.RecordedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The intents of one stream that no outcome followed. An outcome closes the intent of its own request: the
 * one with the same correlation id, appended before it, whose {@link Intent#outcomes()} name its type. Matching
 * by request, not by position, lets several intents stand open in one stream at once (pulls side by side).
 */
final class OpenIntents {

    record Open(Intent intent, UUID correlationId, long position) {
    }

    private OpenIntents() {
    }

    /** @param stream one stream's events in version order */
    static List<Open> in(List<RecordedEvent> stream) {
        List<Open> open = new ArrayList<>();
        for (RecordedEvent recorded : stream) {
            Event event = recorded.event();
            open.removeIf(o -> o.correlationId().equals(recorded.correlationId())
                    && o.intent().outcomes().contains(event.getClass()));
            if (event instanceof Intent intent) {
                open.add(new Open(intent, recorded.correlationId(), recorded.position()));
            }
        }
        return open;
    }
}
