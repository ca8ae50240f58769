package dev.tallyman.host.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.EventCodec;
import dev.tallyman.audit.event.VolumeEvent;
import dev.tallyman.audit.event.VolumeEvent.*;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VolumeProjectionTest {
    private long position;
    private final Map<String, Long> versions = new HashMap<>();

    private RecordedEvent recorded(Event event) {
        String stream = "volume-" + ((VolumeEvent) event).name();
        long version = versions.merge(stream, 1L, Long::sum) - 1;
        return new RecordedEvent(++position, new StreamId(stream), version, new EventCodec().typeName(event), event,
                Actor.socket(0, 1, "root"), UUID.randomUUID(), Instant.ofEpochSecond(1_000 + position), "", "");
    }

    @Test
    void aVolumesLifeAndANameUsedAgainContinueOneStream() {
        Projections p = new Projections();
        p.apply(recorded(new VolumeCreateRequested("data", "local", Map.of(), Map.of("team", "db"))));
        assertThat(p.volumes().byName("data").orElseThrow().pendingIntent()).isEqualTo("volume.create-requested");
        p.apply(recorded(new VolumeCreated("data", "local", "/v/data/_data", Instant.ofEpochSecond(7))));
        VolumeView created = p.volumes().byName("data").orElseThrow();
        assertThat(created.created()).isTrue();
        assertThat(created.mountpoint()).isEqualTo("/v/data/_data");
        assertThat(created.labels()).containsEntry("team", "db");
        assertThat(created.anonymous()).isFalse();
        p.apply(recorded(new VolumeMounted("data", "local", "c1", "/d", true, "")));
        p.apply(recorded(new VolumeRemoveRequested("data", false)));
        p.apply(recorded(new VolumeRemoveFailed("data", "busy")));
        assertThat(p.volumes().byName("data").orElseThrow().pendingIntent()).isEmpty();
        p.apply(recorded(new VolumeRemoveRequested("data", false)));
        p.apply(recorded(new VolumeRemoved("data", "local")));
        assertThat(p.volumes().byName("data")).isEmpty();
        assertThat(p.volumes().streamVersion("data")).isEqualTo(6);

        p.apply(recorded(new VolumeCreateRequested("data", "local", Map.of(), Map.of(VolumeView.ANONYMOUS_LABEL, ""))));
        p.apply(recorded(new VolumeCreateFailed("data", "no space")));
        assertThat(p.volumes().byName("data")).isEmpty();
        assertThat(p.volumes().hasStream("data")).isTrue();
    }
}
