package dev.tallyman.host.audit.relay;

import dev.tallyman.audit.relay.EventJson;
import dev.tallyman.audit.store.RecordedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * The record to Kafka: channel {@value #CHANNEL} (connector smallrye-kafka), enabled only when
 * {@code TALLYMAN_KAFKA_BOOTSTRAP} is set ({@link KafkaSwitch}). Each event is one record on the topic
 * ({@code TALLYMAN_KAFKA_TOPIC}, default {@code tallyman.events}): key the stream id, so one object's events share a
 * partition and stay in order; value the event's JSON ({@link EventJson}); header {@value #POSITION_HEADER} the
 * position as decimal text, by which a consumer drops the duplicates that at-least-once delivery brings.
 */
// Touched only when Kafka is configured: its emitter, injected when the bean is first used, fails on a disabled channel.
@ApplicationScoped
public class KafkaEventChannel implements RelaySink {
    public static final String CHANNEL = "tallyman-kafka";
    public static final String POSITION_HEADER = "tallyman-position";

    @Inject
    @Channel(CHANNEL)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = EventRelays.WINDOW)
    Emitter<String> emitter;

    private final EventJson json = new EventJson();

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public CompletionStage<Void> publish(RecordedEvent event) {
        return Delivery.send(emitter, json.write(event), Delivery.kafkaRecord(event.stream().value(), event.position()));
    }
}
