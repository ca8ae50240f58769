package dev.tallyman.host.audit.relay;

import dev.tallyman.audit.store.RecordedEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The service's own subscriber of the in-process stream, and the example of one: it counts the events it was
 * handed and remembers the last position, shown as {@code tallyman.relay.memory.delivered} and
 * {@code tallyman.relay.memory.last.position} on /metrics.
 */
@ApplicationScoped
public class RelayedEventCounter {
    private final LongAdder delivered = new LongAdder();
    private volatile long lastPosition;

    @Inject
    void register(MeterRegistry meters) {
        FunctionCounter.builder("tallyman.relay.memory.delivered", delivered, LongAdder::doubleValue)
                .description("Events the in-process channel tallyman-events delivered to this subscriber").register(meters);
        Gauge.builder("tallyman.relay.memory.last.position", this, c -> c.lastPosition)
                .description("Position of the last event this in-process subscriber was handed").register(meters);
    }

    @Incoming(InMemoryEventChannel.CHANNEL)
    public void deliver(RecordedEvent event) {
        delivered.increment();
        lastPosition = event.position();
    }
}
