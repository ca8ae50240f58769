package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreateRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreated;
import dev.tallyman.audit.event.ContainerEvent.ContainerKillRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerPauseRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerPaused;
import dev.tallyman.audit.event.ContainerEvent.ContainerRemoveRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerStarted;
import dev.tallyman.audit.event.ContainerEvent.ContainerStopRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerUnpauseRequested;
import dev.tallyman.audit.event.BuildEvent.BuildRequested;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.EventCodec;
import dev.tallyman.audit.event.ImageEvent.ImageDeleteRequested;
import dev.tallyman.audit.event.ImageEvent.ImageImportRequested;
import dev.tallyman.audit.event.ImageEvent.ImageImported;
import dev.tallyman.audit.event.ImageEvent.ImageLoadRequested;
import dev.tallyman.audit.event.ImageEvent.ImagePullRequested;
import dev.tallyman.audit.event.ImageEvent.ImagePushRequested;
import dev.tallyman.audit.event.Intent;
import dev.tallyman.audit.event.NetworkEvent.ContainerConnectRequested;
import dev.tallyman.audit.event.NetworkEvent.ContainerDisconnectRequested;
import dev.tallyman.audit.event.NetworkEvent.NetworkCreateRequested;
import dev.tallyman.audit.event.NetworkEvent.NetworkCreated;
import dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint;
import dev.tallyman.audit.event.NetworkEvent.NetworkRemoveRequested;
import dev.tallyman.audit.event.VolumeEvent.VolumeCreateRequested;
import dev.tallyman.audit.event.VolumeEvent.VolumeCreated;
import dev.tallyman.audit.event.VolumeEvent.VolumeRemoveRequested;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The service stopped between an intent and its outcome, once for every kind of intent there is: after boot,
 * each intent is closed by one of its own outcomes, under its request's correlation id, by Tallyman itself.
 * A new intent type fails this test until the reconciler closes it too.
 */
class IntentReconcileIT {
    private static final ContainerSpec SPEC = new ContainerSpec("busybox", "sha256:" + "b".repeat(64), List.of(),
            List.of("true"), List.of(), "", "", "h", Map.of(), "none", false, false, false, "vfs");
    private static final Actor ALICE = Actor.socket(1000, 4242, "alice");

    private record Left(StreamId stream, Intent intent, UUID correlation) {
    }

    @Test
    void everyKindOfOpenIntentIsClosedAtBootByOneOfItsOutcomes() throws Exception {
        try (TestDatabase database = new TestDatabase()) {
            PGSimpleDataSource dataSource = database.migratedDataSource();
            List<Left> left = new ArrayList<>();
            try (JdbcEventStore store = new JdbcEventStore(dataSource, Clock.systemUTC())) {
                int n = 0;
                for (List<Event> history : containerHistories()) {
                    String id = String.format("1e%062x", ++n);
                    List<Event> events = new ArrayList<>();
                    for (Event e : history) {
                        events.add(withId(e, id));
                    }
                    UUID before = UUID.randomUUID();
                    UUID open = UUID.randomUUID();
                    StreamId stream = StreamId.container(id);
                    if (events.size() > 1) {
                        store.append(stream, ExpectedVersion.noStream(), events.subList(0, events.size() - 1), ALICE, before);
                    }
                    Event last = events.get(events.size() - 1);
                    store.append(stream, ExpectedVersion.any(), List.of(last), ALICE, open);
                    left.add(new Left(stream, (Intent) last, open));
                }
                String imported = "sha256:" + "c".repeat(64);
                store.append(StreamId.IMAGES, ExpectedVersion.any(),
                        List.of(new ImageImported(imported, List.of(), 0, Instant.now())), ALICE, UUID.randomUUID());
                for (Event intent : List.<Event>of(new ImageImportRequested("-", "x:1", ""),
                        new ImagePullRequested("localhost:5999/x:1", "localhost:5999"),
                        new ImagePushRequested(imported, "localhost:5999/x:1"), new ImageLoadRequested("-"),
                        new dev.tallyman.audit.event.ImageEvent.ImageCommitRequested("1e" + "0".repeat(62), "x:2"),
                        new dev.tallyman.audit.event.ImageEvent.ImagesSaveRequested(List.of("x:1")),
                        new ImageDeleteRequested(imported, false))) {
                    UUID open = UUID.randomUUID();
                    store.append(StreamId.IMAGES, ExpectedVersion.any(), List.of(intent), ALICE, open);
                    left.add(new Left(StreamId.IMAGES, (Intent) intent, open));
                }
                // a docker login the service stopped in the middle of
                UUID login = UUID.randomUUID();
                dev.tallyman.audit.event.RegistryEvent.RegistryLoginRequested loginRequested =
                        new dev.tallyman.audit.event.RegistryEvent.RegistryLoginRequested("localhost:5999", "alice");
                store.append(StreamId.registry("localhost:5999"), ExpectedVersion.any(), List.of(loginRequested), ALICE, login);
                left.add(new Left(StreamId.registry("localhost:5999"), loginRequested, login));
                // volumes: a create the driver never made, a removal of a volume only the record holds
                UUID createVolume = UUID.randomUUID();
                store.append(StreamId.volume("vi-create"), ExpectedVersion.noStream(),
                        List.of(new VolumeCreateRequested("vi-create", "local", Map.of(), Map.of())), ALICE, createVolume);
                left.add(new Left(StreamId.volume("vi-create"), new VolumeCreateRequested("vi-create", "local", Map.of(), Map.of()), createVolume));
                store.append(StreamId.volume("vi-remove"), ExpectedVersion.noStream(),
                        List.of(new VolumeCreateRequested("vi-remove", "local", Map.of(), Map.of()),
                                new VolumeCreated("vi-remove", "local", "/nowhere", Instant.now())), ALICE, UUID.randomUUID());
                UUID removeVolume = UUID.randomUUID();
                store.append(StreamId.volume("vi-remove"), ExpectedVersion.any(),
                        List.of(new VolumeRemoveRequested("vi-remove", false)), ALICE, removeVolume);
                left.add(new Left(StreamId.volume("vi-remove"), new VolumeRemoveRequested("vi-remove", false), removeVolume));
                // networks of a driver this host does not have: every network intent, open
                String net1 = "a1".repeat(32);
                String net2 = "a2".repeat(32);
                UUID createNetwork = UUID.randomUUID();
                NetworkCreateRequested create1 = new NetworkCreateRequested(net1, "ni-create", "nosuchdriver",
                        "10.197.1.0/24", "10.197.1.1", "", true, Map.of(), Map.of());
                store.append(StreamId.network(net1), ExpectedVersion.noStream(), List.of(create1), ALICE, createNetwork);
                left.add(new Left(StreamId.network(net1), create1, createNetwork));
                store.append(StreamId.network(net2), ExpectedVersion.noStream(), List.of(
                        new NetworkCreateRequested(net2, "ni-other", "nosuchdriver", "10.197.2.0/24", "10.197.2.1", "",
                                true, Map.of(), Map.of()), new NetworkCreated(net2)), ALICE, UUID.randomUUID());
                String member = "a3".repeat(32);
                NetworkEndpoint endpoint = new NetworkEndpoint("e".repeat(64), "eth0", "10.197.2.2", 24,
                        "02:42:0a:c5:02:02", List.of(), List.of());
                for (Event intent : List.<Event>of(new ContainerConnectRequested(net2, member, endpoint),
                        new ContainerDisconnectRequested(net2, member, false, true), new NetworkRemoveRequested(net2))) {
                    UUID open = UUID.randomUUID();
                    store.append(StreamId.network(net2), ExpectedVersion.any(), List.of(intent), ALICE, open);
                    left.add(new Left(StreamId.network(net2), (Intent) intent, open));
                }
                // a build the service stopped in the middle of: its stream and its correlation are the build's id
                UUID build = UUID.randomUUID();
                BuildRequested requested = new BuildRequested(build.toString(), "Dockerfile", "sha256:" + "d".repeat(64),
                        "sha256:" + "e".repeat(64), 10, List.of("x:1"), "", List.of(), Map.of(), false, false, "", 3);
                store.append(StreamId.of("build", build.toString()), ExpectedVersion.noStream(), List.of(requested), ALICE, build);
                left.add(new Left(StreamId.of("build", build.toString()), requested, build));
            }
            Set<Class<?>> covered = new HashSet<>();
            left.forEach(l -> covered.add(l.intent().getClass()));
            Set<Class<?>> every = new HashSet<>();
            EventCodec.concreteEventTypes().stream().filter(Intent.class::isAssignableFrom).forEach(every::add);
            assertThat(covered).as("this test leaves every intent type open").isEqualTo(every);

            TallymanProcess service = new TallymanProcess("intents", database, "vfs");
            try {
                service.start();
            } finally {
                service.close();
            }

            try (JdbcEventStore store = new JdbcEventStore(dataSource, Clock.systemUTC())) {
                for (Left l : left) {
                    List<RecordedEvent> closing = store.readStream(l.stream()).stream()
                            .filter(e -> e.correlationId().equals(l.correlation()))
                            .filter(e -> l.intent().outcomes().contains(e.event().getClass()))
                            .toList();
                    assertThat(closing).as("outcome of " + l.intent()).hasSize(1);
                    assertThat(closing.get(0).actor().kind()).isEqualTo(Actor.Kind.SYSTEM);
                    assertThat(closing.get(0).actor().userName()).isEqualTo("reconcile");
                }
                assertThat(store.verify().intact()).isTrue();
            }
        }
    }

    /** Each list ends with an intent left open; the events before it put the container where that intent applies. */
    private static List<List<Event>> containerHistories() {
        Event create = new ContainerCreateRequested("x", "/c", SPEC);
        Event created = new ContainerCreated("x");
        Event start = new ContainerStartRequested("x");
        // a pid no process has: the run's end is found missing at boot and recorded as a death
        Event started = new ContainerStarted("x", 4_000_000, Instant.now());
        return List.of(
                List.of(create),
                List.of(create, created, start),
                List.of(create, created, start, started, new ContainerKillRequested("x", "9")),
                List.of(create, created, start, started, new ContainerStopRequested("x", 10)),
                List.of(create, created, start, started, new ContainerPauseRequested("x")),
                List.of(create, created, start, started, new ContainerPauseRequested("x"), new ContainerPaused("x"),
                        new ContainerUnpauseRequested("x")),
                List.of(create, created, new ContainerRemoveRequested("x", false)),
                List.of(create, created, new dev.tallyman.audit.event.ContainerEvent.ContainerUpdateRequested("x",
                        dev.tallyman.audit.event.ContainerSpec.ContainerLimits.NONE,
                        dev.tallyman.audit.event.ContainerSpec.RestartPolicy.NO)),
                List.of(create, created, new ContainerEvent.ContainerLinkRemoveRequested("x", "/x/db")),
                // copies, exports and resizes run beside the container's life: a crash leaves them open too
                List.of(create, created, new ContainerEvent.ContainerCopyInRequested("x", "/tmp")),
                List.of(create, created, new ContainerEvent.ContainerCopyOutRequested("x", "/etc/hostname")),
                List.of(create, created, new ContainerEvent.ContainerExportRequested("x")),
                List.of(create, created, start, started, new ContainerEvent.ContainerResizeRequested("x", "", 24, 80)),
                List.of(create, created, start, started,
                        new ContainerEvent.ContainerExecStartRequested("x", "e".repeat(64), List.of("true"), "", false)));
    }

    private static Event withId(Event e, String id) {
        if (e instanceof ContainerCreateRequested c) {
            return new ContainerCreateRequested(id, "/c-" + id.substring(50), c.spec());
        } else if (e instanceof ContainerCreated) {
            return new ContainerCreated(id);
        } else if (e instanceof ContainerStartRequested) {
            return new ContainerStartRequested(id);
        } else if (e instanceof ContainerStarted s) {
            return new ContainerStarted(id, s.pid(), s.startedAt());
        } else if (e instanceof ContainerKillRequested k) {
            return new ContainerKillRequested(id, k.signal());
        } else if (e instanceof ContainerStopRequested s) {
            return new ContainerStopRequested(id, s.timeoutSeconds());
        } else if (e instanceof ContainerPauseRequested) {
            return new ContainerPauseRequested(id);
        } else if (e instanceof ContainerPaused) {
            return new ContainerPaused(id);
        } else if (e instanceof ContainerUnpauseRequested) {
            return new ContainerUnpauseRequested(id);
        } else if (e instanceof ContainerRemoveRequested r) {
            return new ContainerRemoveRequested(id, r.force());
        } else if (e instanceof dev.tallyman.audit.event.ContainerEvent.ContainerUpdateRequested u) {
            return new dev.tallyman.audit.event.ContainerEvent.ContainerUpdateRequested(id, u.limits(), u.restartPolicy());
        } else if (e instanceof ContainerEvent.ContainerLinkRemoveRequested l) {
            return new ContainerEvent.ContainerLinkRemoveRequested(id, l.alias());
        } else if (e instanceof ContainerEvent.ContainerCopyInRequested c) {
            return new ContainerEvent.ContainerCopyInRequested(id, c.path());
        } else if (e instanceof ContainerEvent.ContainerCopyOutRequested c) {
            return new ContainerEvent.ContainerCopyOutRequested(id, c.path());
        } else if (e instanceof ContainerEvent.ContainerExportRequested) {
            return new ContainerEvent.ContainerExportRequested(id);
        } else if (e instanceof ContainerEvent.ContainerExecStartRequested x) {
            return new ContainerEvent.ContainerExecStartRequested(id, x.execId(), x.command(), x.user(), x.tty());
        } else if (e instanceof ContainerEvent.ContainerResizeRequested r) {
            return new ContainerEvent.ContainerResizeRequested(id, r.execId(), r.height(), r.width());
        }
        throw new IllegalArgumentException("no id swap for " + e);
    }
}
