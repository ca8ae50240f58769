package dev.tallyman.host.audit.relay;

import dev.tallyman.audit.evidence.Checkpointer;
import dev.tallyman.audit.evidence.JdbcCheckpointStore;
import dev.tallyman.audit.relay.RelayPositions;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The signed checkpoints to Kafka (issue 11), when {@code TALLYMAN_KAFKA_BOOTSTRAP} is set: a {@link CheckpointRelay}
 * listening to the checkpointer. Without Kafka it does nothing, and neither the relay nor the channel is made.
 */
@ApplicationScoped
public class CheckpointRelays {

    @Inject
    Instance<KafkaCheckpointChannel> kafka;

    @ConfigProperty(name = "tallyman-kafka.bootstrap")
    Optional<String> kafkaBootstrap;

    private Runnable pending;
    private boolean messagingReady;
    private CheckpointRelay relay;

    /** Relays each checkpoint from now on, and those not acknowledged before, once messaging has started. */
    public synchronized void start(Checkpointer checkpointer, JdbcCheckpointStore table, DataSource dataSource,
                                   Clock clock) {
        if (kafkaBootstrap.filter(b -> !b.isBlank()).isEmpty()) {
            return;
        }
        pending = () -> {
            KafkaCheckpointChannel channel = kafka.get();
            relay = new CheckpointRelay(channel::publish, table, new RelayPositions(dataSource), clock);
            checkpointer.onCheckpoint(c -> relay.publishPending());
            relay.publishPending();
        };
        if (messagingReady) {
            runPending();
        }
    }

    // as EventRelays: an emitter used before Reactive Messaging connected its channels fails
    synchronized void messagingStarted(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 100) StartupEvent event) {
        messagingReady = true;
        if (pending != null) {
            runPending();
        }
    }

    private void runPending() {
        Runnable start = pending;
        pending = null;
        start.run();
    }

    public synchronized void close() {
        if (relay != null) {
            relay.close();
        }
    }
}
