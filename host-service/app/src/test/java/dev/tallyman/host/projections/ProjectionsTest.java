package dev.tallyman.host.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.ContainerEvent.*;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.EventCodec;
import dev.tallyman.audit.event.ImageEvent;
import dev.tallyman.audit.event.ImageEvent.ImageImported;
import dev.tallyman.audit.event.ImageEvent.ImageTagged;
import dev.tallyman.audit.event.ImageEvent.ImageUntagged;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProjectionsTest {
    private static final ContainerSpec SPEC = new ContainerSpec("busybox", "sha256:" + "a".repeat(64), List.of(),
            List.of("true"), List.of(), "", "", "c1", Map.of(), "none", false, false, false, "overlay2");

    private long position;
    // one command's events share a correlation id; null: each event its own
    private UUID correlation;
    private final Map<String, Long> versions = new java.util.HashMap<>();

    private RecordedEvent recorded(Event event) {
        String stream = event instanceof ContainerEvent c ? "container-" + c.containerId()
                : event instanceof dev.tallyman.audit.event.NetworkEvent n ? "network-" + n.networkId() : "images";
        long version = versions.merge(stream, 1L, Long::sum) - 1;
        return new RecordedEvent(++position, new StreamId(stream), version, new EventCodec().typeName(event), event,
                Actor.socket(0, 1, "root"), correlation != null ? correlation : UUID.randomUUID(),
                Instant.ofEpochSecond(1_000 + position), "", "");
    }

    @Test
    void aContainersLifeFoldsToDockersStates() {
        Projections p = new Projections();
        p.apply(recorded(new ContainerCreateRequested("c", "web", SPEC)));
        assertThat(p.containers().byId("c").orElseThrow().state()).isEqualTo(ContainerState.CREATING);
        p.apply(recorded(new ContainerCreated("c")));
        assertThat(p.containers().find("web").orElseThrow().state()).isEqualTo(ContainerState.CREATED);
        p.apply(recorded(new ContainerStartRequested("c")));
        assertThat(p.containers().byId("c").orElseThrow().pendingIntent()).isEqualTo("container.start-requested");
        p.apply(recorded(new ContainerStarted("c", 42, Instant.ofEpochSecond(5))));
        ContainerView running = p.containers().byId("c").orElseThrow();
        assertThat(running.state()).isEqualTo(ContainerState.RUNNING);
        assertThat(running.pid()).isEqualTo(42);
        assertThat(running.pendingIntent()).isEmpty();
        p.apply(recorded(new ContainerDied("c", 137, false, Instant.ofEpochSecond(9))));
        ContainerView exited = p.containers().byId("c").orElseThrow();
        assertThat(exited.state()).isEqualTo(ContainerState.EXITED);
        assertThat(exited.exitCode()).isEqualTo(137);
        assertThat(exited.pid()).isZero();
        p.apply(recorded(new ContainerRemoveRequested("c", false)));
        p.apply(recorded(new ContainerRemoved("c")));
        assertThat(p.containers().find("web")).isEmpty();
        assertThat(p.position()).isEqualTo(position);
    }

    @Test
    void aTagMovesFromOneImageToAnother() {
        Projections p = new Projections();
        p.apply(recorded(new ImageImported("sha256:1", List.of(), 1, Instant.EPOCH)));
        p.apply(recorded(new ImageImported("sha256:2", List.of(), 1, Instant.EPOCH)));
        p.apply(recorded(new ImageTagged("sha256:1", "docker.io/library/busybox:latest")));
        p.apply(recorded(new ImageTagged("sha256:2", "docker.io/library/busybox:latest")));
        assertThat(p.images().byTag("docker.io/library/busybox:latest").orElseThrow().id()).isEqualTo("sha256:2");
        assertThat(p.images().byId("sha256:1").orElseThrow().tags()).isEmpty();
        p.apply(recorded(new ImageUntagged("sha256:2", "docker.io/library/busybox:latest")));
        assertThat(p.images().byTag("docker.io/library/busybox:latest")).isEmpty();
    }

    /** Adding an event type without teaching the projections about it fails here, not in production. */
    @Test
    void everyEventTypeHasAProjectionCase() {
        for (Class<? extends Event> type : EventCodec.concreteEventTypes()) {
            Projections p = new Projections();
            p.apply(recorded(new ContainerCreateRequested("c", "web", SPEC)));
            p.apply(recorded(new ImageImported("sha256:x", List.of(), 1, Instant.EPOCH)));
            Event sample = sample(type);
            assertThatCode(() -> p.apply(recorded(sample))).as(type.getSimpleName()).doesNotThrowAnyException();
        }
    }

    private static Event sample(Class<? extends Event> type) {
        try {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                values[i] = valueOf(components[i]);
            }
            return type.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("sample of " + type, e);
        }
    }

    private static Object valueOf(RecordComponent component) {
        Class<?> t = component.getType();
        String name = component.getName();
        if (name.equals("containerId")) return "c";
        if (name.equals("imageId")) return "sha256:x";
        if (t == String.class) return "x";
        if (t == int.class) return 0;
        if (t == long.class) return 0L;
        if (t == boolean.class) return false;
        if (t == Instant.class) return Instant.EPOCH;
        if (t == List.class) return List.of();
        if (t == Map.class) return Map.of();
        if (t == ContainerSpec.class) return SPEC;
        if (t == dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint.class) {
            return new dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint("e", "eth0", "10.0.0.2", 24, "02:42:0a:00:00:02",
                    List.of(), List.of());
        }
        if (t == ContainerSpec.ContainerLimits.class) return ContainerSpec.ContainerLimits.NONE;
        if (t == ContainerSpec.RestartPolicy.class) return ContainerSpec.RestartPolicy.NO;
        if (t == dev.tallyman.audit.event.NetworkMembership.class) {
            return new dev.tallyman.audit.event.NetworkMembership("n", "net", List.of(), "");
        }
        throw new AssertionError("no sample value for " + t);
    }

    @Test
    void aRemovedContainerIsNamedForAWhileThenNoLongerKeptSoTheStateDoesNotGrowWithTheRecord() {
        Projections p = new Projections();
        int lives = ContainerProjection.REMOVED_KEPT + 10;
        createAndRemove(p, 0, lives);
        String last = "c" + (lives - 1);
        assertThat(p.containers().identity(last)).map(ContainerProjection.Identity::name).contains("web" + (lives - 1));
        assertThat(p.containers().identity("c0")).isEmpty();
        int before = SnapshotFormat.write(p).length;
        createAndRemove(p, lives, 2 * lives);
        // as many names kept after twice the lives: the snapshot stays the same size, give or take the digits
        assertThat(SnapshotFormat.write(p).length).isBetween(before - 2048, before + 4096);
    }

    /** Containers c{from}.. c{to - 1}, each created and removed, each command with its own correlation id. */
    private void createAndRemove(Projections p, int from, int to) {
        for (int i = from; i < to; i++) {
            String id = "c" + i;
            correlation = UUID.randomUUID();
            p.apply(recorded(new ContainerCreateRequested(id, "web" + i, SPEC)));
            p.apply(recorded(new ContainerCreated(id)));
            correlation = UUID.randomUUID();
            p.apply(recorded(new ContainerRemoveRequested(id, false)));
            p.apply(recorded(new ContainerRemoved(id)));
        }
        correlation = null;
    }
}
