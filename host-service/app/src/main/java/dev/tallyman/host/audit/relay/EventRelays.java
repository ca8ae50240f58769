package dev.tallyman.host.audit.relay;

import dev.tallyman.audit.evidence.Checkpointer;
import dev.tallyman.audit.evidence.JdbcCheckpointStore;
import dev.tallyman.audit.relay.RelayPositions;
import dev.tallyman.audit.store.JdbcEventStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.interceptor.Interceptor;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import javax.sql.DataSource;

/**
 * The relays of the record (issue 11): always one to the in-process channel {@value InMemoryEventChannel#CHANNEL},
 * and one to Kafka when it is configured, with the signed checkpoints beside it ({@link CheckpointRelay}). Each
 * event relay shows its lag as the gauge {@code tallyman.relay.lag} (committed events its destination has not
 * acknowledged yet), tagged with the relay's name.
 */
@ApplicationScoped
public class EventRelays {
    /** Events in flight per relay, unacknowledged: the memory a relay may hold when its destination is slow or down. */
    public static final int WINDOW = 1024;

    @Inject
    InMemoryEventChannel memory;

    @Inject
    KafkaEventChannel kafka;

    // made only with Kafka configured
    @Inject
    Instance<KafkaCheckpointChannel> kafkaCheckpoints;

    /** Where Kafka is ({@code TALLYMAN_KAFKA_BOOTSTRAP}); without it nothing reaches for a broker. */
    @ConfigProperty(name = "tallyman-kafka.bootstrap")
    Optional<String> kafkaBootstrap;

    private final List<EventRelay> running = new ArrayList<>();
    private CheckpointRelay checkpointRelay;
    private Runnable pending;
    private boolean messagingReady;

    /**
     * Starts the relays beside the write path. The in-process relay, on its first start, begins at the record's
     * current end (a subscriber in this process cannot have waited for older events); the Kafka relay begins at the
     * first event, so the topic holds the whole record, and the checkpoint relay from the first checkpoint not
     * acknowledged yet.
     */
    public synchronized void start(JdbcEventStore store, DataSource dataSource, MeterRegistry meters, Clock clock,
                                   Checkpointer checkpointer, JdbcCheckpointStore checkpoints) {
        pending = () -> startNow(store, dataSource, meters, clock, checkpointer, checkpoints);
        if (messagingReady) {
            pending.run();
        }
    }

    /**
     * The routes (and so the store) are made before Reactive Messaging connects its channels, and an emitter used
     * before that fails: the relays start once the application has started.
     */
    synchronized void messagingStarted(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 100) StartupEvent event) {
        messagingReady = true;
        if (pending != null) {
            pending.run();
        }
    }

    private void startNow(JdbcEventStore store, DataSource dataSource, MeterRegistry meters, Clock clock,
                          Checkpointer checkpointer, JdbcCheckpointStore checkpoints) {
        pending = null;
        RelayPositions positions = new RelayPositions(dataSource);
        running.add(EventRelay.start(memory, store, store.commits(), positions, clock, WINDOW, store.lastPosition()));
        if (kafkaBootstrap.filter(b -> !b.isBlank()).isPresent()) {
            running.add(EventRelay.start(kafka, store, store.commits(), positions, clock, WINDOW, 0));
            checkpointRelay = new CheckpointRelay(kafkaCheckpoints.get()::publish, checkpoints, positions, clock);
            checkpointer.onCheckpoint(c -> checkpointRelay.publishPending());
            checkpointRelay.publishPending();
        }
        for (EventRelay relay : running) {
            Gauge.builder("tallyman.relay.lag", relay, EventRelay::lag).tag("relay", relay.name()).baseUnit("events")
                    .description("Committed events the relay's destination has not acknowledged yet").register(meters);
            Gauge.builder("tallyman.relay.position", relay, EventRelay::confirmed).tag("relay", relay.name())
                    .description("Position up to which the relay's destination acknowledged every event").register(meters);
        }
    }

    /** Stops every relay; each stores the position its destination confirmed. */
    public synchronized void close() {
        for (EventRelay relay : running) {
            relay.close();
        }
        running.clear();
        if (checkpointRelay != null) {
            checkpointRelay.close();
            checkpointRelay = null;
        }
    }
}
