package dev.tallyman.host.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.BuildEvent.BuildRequested;
import dev.tallyman.audit.event.BuildEvent.BuildStepFinished;
import dev.tallyman.audit.event.CommandRefused;
import dev.tallyman.audit.event.ContainerEvent.*;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent.ImageImported;
import dev.tallyman.audit.event.ImageEvent.ImageTagged;
import dev.tallyman.audit.event.ImageEvent.ImageUntagged;
import dev.tallyman.audit.event.NetworkEvent.ContainerConnectRequested;
import dev.tallyman.audit.event.NetworkEvent.ContainerConnected;
import dev.tallyman.audit.event.NetworkEvent.NetworkCreateRequested;
import dev.tallyman.audit.event.NetworkEvent.NetworkCreated;
import dev.tallyman.audit.event.NetworkEvent.NetworkEndpoint;
import dev.tallyman.audit.event.NetworkEvent.PublishedPort;
import dev.tallyman.audit.event.SnapshotEvent.ProjectionSnapshotRefused;
import dev.tallyman.audit.event.SnapshotEvent.ProjectionSnapshotTaken;
import dev.tallyman.audit.event.VolumeEvent.VolumeCreateRequested;
import dev.tallyman.audit.event.VolumeEvent.VolumeCreated;
import dev.tallyman.audit.snapshot.JdbcSnapshotStore;
import dev.tallyman.audit.snapshot.Snapshot;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.api.TallymanApi;
import dev.tallyman.host.it.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Projections rebuilt from a snapshot plus the events after it equal projections folded from the first event,
 * and a snapshot that does not belong to the record (its state changed, another chain, another format) is not
 * used: against the tests' PostgreSQL, through the store and the snapshot table as the service uses them.
 */
class ProjectionSnapshotIT {
    private static final Actor USER = Actor.socket(1000, 4242, "alice");

    private TestDatabase database;
    private JdbcEventStore store;
    private JdbcSnapshotStore snapshots;

    @BeforeEach
    void openStore() {
        database = new TestDatabase();
        PGSimpleDataSource dataSource = database.migratedDataSource();
        store = new JdbcEventStore(dataSource, Clock.systemUTC());
        snapshots = new JdbcSnapshotStore(dataSource);
    }

    @AfterEach
    void closeStore() {
        store.close();
        database.close();
    }

    @Test
    void aBootFromASnapshotFoldsTheSameStateAsAFoldFromTheFirstEvent() {
        history(0, 60);
        long taken = takeSnapshot();
        history(60, 40);
        long last = store.lastPosition();

        ProjectionRebuild.Result booted = ProjectionRebuild.run(store, snapshots);

        assertThat(booted.snapshotPosition()).isEqualTo(taken);
        assertThat(booted.folded()).as("the events after the snapshot, and no others").isEqualTo(last - taken);
        assertSameState(booted.projections(), Projections.rebuild(store));
        assertThat(snapshotEvents()).singleElement().satisfies(r -> {
            assertThat(r.event()).isInstanceOf(ProjectionSnapshotTaken.class);
            assertThat(r.actor().kind()).isEqualTo(Actor.Kind.SYSTEM);
            assertThat(((ProjectionSnapshotTaken) r.event()).position()).isEqualTo(taken);
        });
    }

    @Test
    void aCopyTakenForASnapshotDoesNotChangeWithLaterFolds() {
        history(0, 30);
        Projections live = Projections.rebuild(store);
        Projections copy = live.read(SnapshotFormat::copy);
        String before = json(copy);

        history(30, 30);
        store.replay(live.position(), live::apply);

        assertThat(json(copy)).isEqualTo(before);
        assertThat(json(live)).isNotEqualTo(before);
    }

    @Test
    void aSnapshotWhoseStateWasChangedIsRefusedOnTheRecordAndTheStoreFoldedFromTheStart() throws Exception {
        history(0, 40);
        long taken = takeSnapshot();
        history(40, 10);
        // rename a container inside the stored state, as someone with access to the table could
        Snapshot stored = snapshots.newestFirst().get(0);
        String state = gunzip(stored.state());
        assertThat(state).contains("\"/c0001\"");
        replaceState(taken, gzip(state.replace("\"/c0001\"", "\"/evil\"")));

        ProjectionRebuild.Result booted = ProjectionRebuild.run(store, snapshots);

        assertThat(booted.snapshotPosition()).isZero();
        assertSameState(booted.projections(), Projections.rebuild(store));
        assertThat(booted.projections().containers().find("evil")).isEmpty();
        ProjectionSnapshotRefused refused = lastRefusal();
        assertThat(refused.position()).isEqualTo(taken);
        assertThat(refused.reason()).contains("the state was changed");
        assertThat(snapshots.newestFirst()).as("a refused snapshot is deleted").isEmpty();
    }

    @Test
    void aSnapshotOfAnotherChainIsRefused() throws Exception {
        history(0, 40);
        long taken = takeSnapshot();
        try (Connection c = database.connect();
             PreparedStatement ps = c.prepareStatement("update projection_snapshots set head_hash = ?")) {
            ps.setString(1, "f".repeat(64));
            ps.executeUpdate();
        }

        ProjectionRebuild.Result booted = ProjectionRebuild.run(store, snapshots);

        assertThat(booted.snapshotPosition()).isZero();
        assertSameState(booted.projections(), Projections.rebuild(store));
        assertThat(lastRefusal().reason()).contains("event " + taken + " has hash").contains("not the same chain");
    }

    @Test
    void aSnapshotBeyondTheEndOfTheStoreIsRefused() throws Exception {
        history(0, 20);
        long taken = takeSnapshot();
        try (Connection c = database.connect();
             PreparedStatement ps = c.prepareStatement("update projection_snapshots set position = position + 1000")) {
            ps.executeUpdate();
        }

        ProjectionRebuild.Result booted = ProjectionRebuild.run(store, snapshots);

        assertThat(booted.snapshotPosition()).isZero();
        assertThat(lastRefusal().reason()).isEqualTo("the store has no event " + (taken + 1000) + " (its last is "
                + (taken + 1) + ")");
        assertSameState(booted.projections(), Projections.rebuild(store));
    }

    @Test
    void aSnapshotOfAnotherFormatIsIgnoredWithoutARefusal() throws Exception {
        history(0, 20);
        takeSnapshot();
        try (Connection c = database.connect();
             PreparedStatement ps = c.prepareStatement("update projection_snapshots set format = '0/older'")) {
            ps.executeUpdate();
        }

        ProjectionRebuild.Result booted = ProjectionRebuild.run(store, snapshots);

        assertThat(booted.snapshotPosition()).isZero();
        assertSameState(booted.projections(), Projections.rebuild(store));
        assertThat(snapshotEvents()).noneMatch(r -> r.event() instanceof ProjectionSnapshotRefused);
    }

    @Test
    void whenTheNewestSnapshotIsRefusedTheNextOlderOneIsUsed() throws Exception {
        history(0, 20);
        long older = takeSnapshot();
        history(20, 20);
        long newer = takeSnapshot();
        history(40, 5);
        try (Connection c = database.connect();
             PreparedStatement ps = c.prepareStatement("update projection_snapshots set head_hash = ? where position = ?")) {
            ps.setString(1, "e".repeat(64));
            ps.setLong(2, newer);
            ps.executeUpdate();
        }

        ProjectionRebuild.Result booted = ProjectionRebuild.run(store, snapshots);

        assertThat(booted.snapshotPosition()).isEqualTo(older);
        assertThat(lastRefusal().position()).isEqualTo(newer);
        assertSameState(booted.projections(), Projections.rebuild(store));
    }

    /** Field by field with the kinds of maps, the state /tallyman/state shows, and the orders listings show. */
    private static void assertSameState(Projections actual, Projections expected) {
        assertThat(actual).usingRecursiveComparison().withStrictTypeChecking().isEqualTo(expected);
        assertThat(TallymanApi.stateOf(actual)).isEqualTo(TallymanApi.stateOf(expected));
        assertThat(actual.containers().all()).containsExactlyElementsOf(expected.containers().all());
        assertThat(actual.images().all()).containsExactlyElementsOf(expected.images().all());
        assertThat(actual.networks().all()).containsExactlyElementsOf(expected.networks().all());
        assertThat(actual.volumes().all()).containsExactlyElementsOf(expected.volumes().all());
        assertThat(actual.position()).isEqualTo(expected.position());
        assertThat(actual.headHash()).isEqualTo(expected.headHash());
        assertThat(json(actual)).isEqualTo(json(expected));
    }

    private long takeSnapshot() {
        Projections live = Projections.rebuild(store);
        try (SnapshotTaker taker = new SnapshotTaker(live, store, snapshots, Clock.systemUTC(), 1_000_000, 0)) {
            long position = taker.take();
            assertThat(position).isEqualTo(live.position()).isPositive();
            return position;
        }
    }

    private List<RecordedEvent> snapshotEvents() {
        return store.readStream(StreamId.SNAPSHOTS);
    }

    private ProjectionSnapshotRefused lastRefusal() {
        RecordedEvent last = snapshotEvents().stream().filter(r -> r.event() instanceof ProjectionSnapshotRefused)
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no snapshot.refused on the record"));
        assertThat(last.actor().kind()).isEqualTo(Actor.Kind.SYSTEM);
        return (ProjectionSnapshotRefused) last.event();
    }

    private static String json(Projections projections) {
        return gunzip(SnapshotFormat.write(projections));
    }

    private void replaceState(long position, byte[] state) throws Exception {
        try (Connection c = database.connect();
             PreparedStatement ps = c.prepareStatement("update projection_snapshots set state = ? where position = ?")) {
            ps.setBytes(1, state);
            ps.setLong(2, position);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private static String gunzip(byte[] bytes) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] gzip(String text) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /**
     * Objects {@code from} to {@code from + count}: containers that are created, started, renamed, die, get
     * removed; networks with members and endpoints; volumes; images tagged and untagged; builds; refusals.
     */
    private void history(int from, int count) {
        for (int i = from; i < from + count; i++) {
            String c = String.format("c%04d", i) + "0".repeat(59);
            ContainerSpec spec = new ContainerSpec("busybox:" + i, "sha256:" + "b".repeat(64), List.of(),
                    List.of("sleep", Integer.toString(i)), List.of("N=" + i), "/", "", "h" + i,
                    Map.of("i", Integer.toString(i), "z", "last", "a", "first"), "none", false, i % 2 == 0, false,
                    "vfs");
            append(StreamId.container(c), ExpectedVersion.noStream(),
                    new ContainerCreateRequested(c, String.format("/c%04d", i), spec), new ContainerCreated(c),
                    new ContainerStartRequested(c), new ContainerStarted(c, 1000 + i, Instant.ofEpochSecond(1_700_000_000L + i, 123_456_000)));
            if (i % 3 == 0) {
                append(StreamId.container(c), ExpectedVersion.any(),
                        new ContainerRenamed(c, String.format("/c%04d", i), String.format("/r%04d", i)));
            }
            if (i % 4 == 0) {
                append(StreamId.container(c), ExpectedVersion.any(), new ContainerDied(c, i % 256, i % 8 == 0, Instant.now()));
            }
            if (i % 5 == 0) {
                append(StreamId.container(c), ExpectedVersion.any(), new ContainerRemoveRequested(c, true),
                        new ContainerRemoved(c));
            }
            if (i % 10 == 0) {
                String n = String.format("n%04d", i) + "1".repeat(59);
                append(StreamId.network(n), ExpectedVersion.noStream(),
                        new NetworkCreateRequested(n, "net" + i, "bridge", "10." + i + ".0.0/24", "10." + i + ".0.1", "",
                                false, Map.of("team", "t" + i), Map.of("com.docker.network.driver.mtu", "1400")),
                        new NetworkCreated(n));
                String member = String.format("c%04d", i + 1) + "0".repeat(59);
                NetworkEndpoint endpoint = new NetworkEndpoint("e" + i, "eth0", "10." + i + ".0.2", 24,
                        "02:42:0a:00:00:02", List.of("web" + i), List.of(new PublishedPort("tcp", "", 8000 + i, 80)));
                append(StreamId.network(n), ExpectedVersion.any(), new ContainerConnectRequested(n, member, endpoint),
                        new ContainerConnected(n, member, endpoint));
            }
            if (i % 7 == 0) {
                String v = "vol" + i;
                append(StreamId.volume(v), ExpectedVersion.noStream(),
                        new VolumeCreateRequested(v, "local", Map.of(), Map.of("k", "v" + i)),
                        new VolumeCreated(v, "local", "/var/lib/tallyman/volumes/" + v, Instant.ofEpochSecond(i)));
            }
            if (i % 6 == 0) {
                String image = "sha256:" + String.format("%064x", i);
                append(StreamId.IMAGES, ExpectedVersion.any(),
                        new ImageImported(image, List.of("sha256:" + "d".repeat(64)), 1000L * i, Instant.ofEpochSecond(i)),
                        new ImageTagged(image, "docker.io/library/app:" + i),
                        new ImageTagged(image, "docker.io/library/app:latest"));
                if (i % 12 == 0) {
                    append(StreamId.IMAGES, ExpectedVersion.any(), new ImageUntagged(image, "docker.io/library/app:" + i));
                }
            }
            if (i % 20 == 0) {
                String b = "build" + i;
                append(StreamId.of("build", b), ExpectedVersion.noStream(),
                        new BuildRequested(b, "Dockerfile", "sha256:" + "e".repeat(64), "sha256:" + "f".repeat(64), 10,
                                List.of("docker.io/library/built:" + i), "", List.of(), Map.of(), false, false, "default", 3),
                        new BuildStepFinished(b, 1, "FROM busybox", false, "", "sha256:" + "a".repeat(64)));
            }
            if (i % 9 == 0) {
                append(StreamId.REFUSALS, ExpectedVersion.any(), new CommandRefused("RemoveContainer", "nope" + i, 404,
                        "No such container: nope" + i));
            }
        }
    }

    private void append(StreamId stream, ExpectedVersion expected, Event... events) {
        store.append(stream, expected, List.of(events), USER, UUID.randomUUID());
    }
}
