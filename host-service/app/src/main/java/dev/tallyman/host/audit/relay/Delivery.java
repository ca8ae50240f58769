package dev.tallyman.host.audit.relay;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * One message through a Reactive Messaging channel, as a future its acknowledgement completes and its refusal
 * fails: what a relay needs to know before it moves its position on.
 */
final class Delivery {
    private Delivery() {
    }

    static <T> CompletionStage<Void> send(Emitter<T> emitter, T payload, Metadata metadata) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        emitter.send(Message.of(payload, metadata, () -> {
            done.complete(null);
            return CompletableFuture.completedFuture(null);
        }, failure -> {
            done.completeExceptionally(failure);
            return CompletableFuture.completedFuture(null);
        }));
        return done;
    }

    /** A Kafka record's key, and the record's position in a header so a consumer can drop what it has seen. */
    static Metadata kafkaRecord(String key, long position) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaEventChannel.POSITION_HEADER, Long.toString(position).getBytes(StandardCharsets.US_ASCII));
        return Metadata.of(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withHeaders(headers).build());
    }
}
