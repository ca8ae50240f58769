package dev.tallyman.host.audit.relay;

import dev.tallyman.audit.store.RecordedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import io.smallrye.reactive.messaging.annotations.Broadcast;

/**
 * The in-process stream of the record: channel {@value #CHANNEL}, whose messages carry each {@link RecordedEvent}
 * in position order. Any bean of the service subscribes with {@code @Incoming("tallyman-events")}; an event counts
 * as delivered once every subscriber acknowledged it (a method returning normally does).
 */
@ApplicationScoped
public class InMemoryEventChannel implements RelaySink {
    public static final String CHANNEL = "tallyman-events";

    @Inject
    @Channel(CHANNEL)
    @Broadcast
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = EventRelays.WINDOW)
    Emitter<RecordedEvent> emitter;

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public CompletionStage<Void> publish(RecordedEvent event) {
        return Delivery.send(emitter, event, Metadata.empty());
    }
}
