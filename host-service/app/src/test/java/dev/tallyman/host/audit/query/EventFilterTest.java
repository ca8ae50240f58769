package dev.tallyman.host.audit.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.audit.event.CommandRefused;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventFilterTest {

    private static EventFilter parse(Map<String, List<String>> query) {
        return EventFilter.parse(query);
    }

    @Test
    void noFiltersMeansTheFirstHundredFromTheStart() {
        EventFilter f = parse(Map.of());
        assertThat(f.after()).isZero();
        assertThat(f.afterGiven()).isFalse();
        assertThat(f.limit()).isEqualTo(100);
        assertThat(f.follow()).isFalse();
        assertThat(f.types()).isEmpty();
    }

    @Test
    void readsEveryFilter() {
        UUID correlation = UUID.randomUUID();
        EventFilter f = parse(Map.of("stream", List.of("container-abc"), "type", List.of("container.created", "command.refused"),
                "actor_uid", List.of("1000"), "actor", List.of("alice"), "correlation", List.of(correlation.toString()),
                "since", List.of("2026-12-06T02:40:00+01:00"), "until", List.of("1796530000.25"),
                "after", List.of("42"), "limit", List.of("7"), "follow", List.of("true")));
        assertThat(f.stream()).isEqualTo("container-abc");
        assertThat(f.types()).containsExactly("container.created", "command.refused");
        assertThat(f.actorUid()).isEqualTo(1000);
        assertThat(f.actor()).isEqualTo("alice");
        assertThat(f.correlation()).isEqualTo(correlation);
        assertThat(f.since()).isEqualTo(Instant.parse("2026-12-06T01:40:00Z"));
        assertThat(f.until()).isEqualTo(Instant.ofEpochSecond(1796530000, 250_000_000));
        assertThat(f.after()).isEqualTo(42);
        assertThat(f.afterGiven()).isTrue();
        assertThat(f.limit()).isEqualTo(7);
        assertThat(f.follow()).isTrue();
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> parse(Map.of("since", List.of("last tuesday"))))
                .isInstanceOf(BadFilterException.class).hasMessageStartingWith("invalid since 'last tuesday'");
        assertThatThrownBy(() -> parse(Map.of("limit", List.of("10001"))))
                .hasMessage("invalid limit 10001: must be from 1 to 10000");
        assertThatThrownBy(() -> parse(Map.of("follow", List.of("maybe"))))
                .hasMessage("invalid follow 'maybe': true or false");
        assertThatThrownBy(() -> parse(Map.of("stream", List.of("a", "b"))))
                .hasMessage("filter 'stream' given 2 times: give it once");
        assertThatThrownBy(() -> parse(Map.of("since", List.of("2026-12-06T00:00:00Z"), "until", List.of("2026-12-05T00:00:00Z"))))
                .hasMessageContaining("is before since");
        assertThatThrownBy(() -> parse(Map.of("actorUid", List.of("0"))))
                .hasMessageStartingWith("unknown filter 'actorUid'");
    }

    @Test
    void matchesAnEventAsTheQueryWould() {
        UUID correlation = UUID.randomUUID();
        RecordedEvent e = new RecordedEvent(5, new StreamId("container-abc"), 0, "command.refused",
                new CommandRefused("POST /containers/:name/start", "abc", 404, "No such container: abc"),
                Actor.socket(1000, 77, "alice"), correlation, Instant.parse("2026-12-06T02:00:00Z"), "0".repeat(64), "1".repeat(64));
        assertThat(parse(Map.of()).matches(e)).isTrue();
        assertThat(parse(Map.of("actor", List.of("alice"), "actor_uid", List.of("1000"), "type", List.of("x", "command.refused"),
                "correlation", List.of(correlation.toString()), "since", List.of("2026-12-06T02:00:00Z"),
                "until", List.of("2026-12-06T02:00:00Z"), "stream", List.of("container-abc"))).matches(e)).isTrue();
        assertThat(parse(Map.of("actor_uid", List.of("0"))).matches(e)).isFalse();
        assertThat(parse(Map.of("type", List.of("container.created"))).matches(e)).isFalse();
        assertThat(parse(Map.of("until", List.of("2026-12-06T01:59:59Z"))).matches(e)).isFalse();
    }

    @Test
    void theReadSideReachesTheWritersSchema() {
        assertThat(AuditSessions.withoutSchema("jdbc:postgresql://127.0.0.1:54320/tallyman"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:54320/tallyman");
        assertThat(AuditSessions.schema("jdbc:postgresql://127.0.0.1:54320/tallyman")).isEmpty();
        assertThat(AuditSessions.withoutSchema("jdbc:postgresql://h:1/db?currentSchema=it_1"))
                .isEqualTo("jdbc:postgresql://h:1/db");
        assertThat(AuditSessions.withoutSchema("jdbc:postgresql://h:1/db?sslmode=disable&currentSchema=it_1"))
                .isEqualTo("jdbc:postgresql://h:1/db?sslmode=disable");
        assertThat(AuditSessions.schema("jdbc:postgresql://h:1/db?sslmode=disable&currentSchema=it_1")).isEqualTo("it_1");
    }
}
