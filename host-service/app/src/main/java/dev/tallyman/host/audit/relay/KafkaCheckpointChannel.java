package dev.tallyman.host.audit.relay;

import dev.tallyman.audit.evidence.Checkpoint;
import dev.tallyman.audit.evidence.CheckpointFile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * Signed checkpoints to Kafka: channel {@value #CHANNEL} (connector smallrye-kafka), enabled with the event channel
 * when {@code TALLYMAN_KAFKA_BOOTSTRAP} is set. One record per checkpoint on its own topic
 * ({@code TALLYMAN_KAFKA_CHECKPOINT_TOPIC}, default {@code tallyman.checkpoints}): key {@value #KEY} (one partition,
 * so the checkpoints stay in order), value the checkpoint file's line ({@link CheckpointFile#toJson}), header
 * {@value KafkaEventChannel#POSITION_HEADER} the position it covers.
 */
// Touched only when Kafka is configured (EventRelays): its emitter fails on a disabled channel.
@ApplicationScoped
public class KafkaCheckpointChannel {
    public static final String CHANNEL = "tallyman-kafka-checkpoints";
    public static final String KEY = "checkpoint";

    @Inject
    @Channel(CHANNEL)
    Emitter<String> emitter;

    /** Sends one checkpoint; the stage completes once the broker wrote it, and fails when it was refused. */
    public CompletionStage<Void> publish(Checkpoint checkpoint) {
        return Delivery.send(emitter, CheckpointFile.toJson(checkpoint), Delivery.kafkaRecord(KEY, checkpoint.position()));
    }
}
