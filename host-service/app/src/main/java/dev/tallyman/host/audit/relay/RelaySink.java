package dev.tallyman.host.audit.relay;

import dev.tallyman.audit.store.RecordedEvent;
import java.util.concurrent.CompletionStage;

/** Where a relay hands committed events: a Reactive Messaging channel, in memory or to Kafka. */
public interface RelaySink {

    /** The relay's name, under which its position is stored ({@code relay_positions.relay}) and its lag shown. */
    String name();

    /**
     * Sends one event. The stage completes once the destination acknowledged it (Kafka: the broker wrote it;
     * in memory: every subscriber handled it) and fails when it was refused or lost. Never blocks for long.
     */
    CompletionStage<Void> publish(RecordedEvent event);
}
