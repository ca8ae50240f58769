package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventHashTest {
    private static final UUID CORRELATION = UUID.fromString("6f1c2b1e-8a55-4c7a-9d0e-0c9b7a4d2e11");
    private static final Instant AT = Instant.parse("2024-05-01T10:15:30.123456Z");

    record Fields(String previousHash, long position, StreamId stream, long version, String type, String payload,
                  Actor actor, UUID correlationId, Instant occurredAt) {
        String hash() {
            return EventHash.of(previousHash, position, stream, version, type, payload, actor, correlationId, occurredAt);
        }
    }

    record Case(String description, Fields fields) {
        @Override
        public String toString() {
            return description;
        }
    }

    static final Fields BASE = new Fields(EventHash.GENESIS, 1, StreamId.container("abc"), 0, "container.created",
            "{\"containerId\":\"abc\"}", Actor.socket(0, 100, "root"), CORRELATION, AT);

    static List<Case> changes() {
        Fields b = BASE;
        return List.of(
                new Case("previous hash", new Fields("1".repeat(64), b.position(), b.stream(), b.version(), b.type(), b.payload(), b.actor(), b.correlationId(), b.occurredAt())),
                new Case("position", new Fields(b.previousHash(), 2, b.stream(), b.version(), b.type(), b.payload(), b.actor(), b.correlationId(), b.occurredAt())),
                new Case("stream", new Fields(b.previousHash(), b.position(), StreamId.container("abd"), b.version(), b.type(), b.payload(), b.actor(), b.correlationId(), b.occurredAt())),
                new Case("version", new Fields(b.previousHash(), b.position(), b.stream(), 1, b.type(), b.payload(), b.actor(), b.correlationId(), b.occurredAt())),
                new Case("type", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), "container.removed", b.payload(), b.actor(), b.correlationId(), b.occurredAt())),
                new Case("payload", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), b.type(), "{\"containerId\":\"abd\"}", b.actor(), b.correlationId(), b.occurredAt())),
                new Case("actor kind", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), b.type(), b.payload(), new Actor(Actor.Kind.SYSTEM, 0, 100, "root", ""), b.correlationId(), b.occurredAt())),
                new Case("actor uid", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), b.type(), b.payload(), Actor.socket(1, 100, "root"), b.correlationId(), b.occurredAt())),
                new Case("actor pid", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), b.type(), b.payload(), Actor.socket(0, 101, "root"), b.correlationId(), b.occurredAt())),
                new Case("actor user", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), b.type(), b.payload(), Actor.socket(0, 100, "toor"), b.correlationId(), b.occurredAt())),
                new Case("actor subject", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), b.type(), b.payload(), new Actor(Actor.Kind.SOCKET, 0, 100, "root", "CN=x"), b.correlationId(), b.occurredAt())),
                new Case("correlation", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), b.type(), b.payload(), b.actor(), UUID.randomUUID(), b.occurredAt())),
                new Case("time, one microsecond", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), b.type(), b.payload(), b.actor(), b.correlationId(), AT.plusNanos(1000))),
                // a newline moved from one text field to the next must not collide: fields are length-prefixed
                new Case("newline moved between user and subject", new Fields(b.previousHash(), b.position(), b.stream(), b.version(), b.type(), b.payload(), new Actor(Actor.Kind.SOCKET, 0, 100, "root\n", ""), b.correlationId(), b.occurredAt())));
    }

    @ParameterizedTest
    @MethodSource("changes")
    void changingAnyFieldChangesTheHash(Case c) {
        assertThat(c.fields().hash()).isNotEqualTo(BASE.hash());
    }

    @Test
    void theHashIsStableLowerCaseHex() {
        assertThat(BASE.hash()).isEqualTo(BASE.hash()).matches("[0-9a-f]{64}");
        Set<String> all = new HashSet<>();
        all.add(BASE.hash());
        changes().forEach(c -> all.add(c.fields().hash()));
        assertThat(all).hasSize(changes().size() + 1);
    }

    @Test
    void aTimeFinerThanPostgresKeepsIsRefused() {
        assertThatThrownBy(() -> EventHash.of(EventHash.GENESIS, 1, StreamId.IMAGES, 0, "t", "{}",
                Actor.system("test"), CORRELATION, AT.plusNanos(1)))
                .hasMessageContaining("finer than microseconds");
    }
}
