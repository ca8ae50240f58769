package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.VolumeEvent.VolumeCreateRequested;
import dev.tallyman.audit.event.VolumeEvent.VolumeCreated;
import dev.tallyman.audit.event.VolumeEvent.VolumeRemoveRequested;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.volumes.VolumeDrivers;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.projections.VolumeView;
import dev.tallyman.host.reconcile.VolumeReconciler;
import dev.tallyman.host.runtime.VolumeMounter;
import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.MountSpec;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeInfo;
import dev.tallyman.spi.volume.VolumeSpec;
import dev.tallyman.volume.local.LocalVolumeConfig;
import dev.tallyman.volume.local.LocalVolumeDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Boot reconciliation of volumes against the real event store and the real local driver: a removal whose intent is
 * on the record but whose effect never happened keeps the volume and its data (and says so on the record); one the
 * driver finished is recorded as done; a create cut short is decided by what the driver holds; a volume mount that
 * no running container holds is undone.
 */
class VolumeReconcileIT {
    private static final Path ROOT = Path.of("/var/lib/tallyman-it/vol-reconcile");

    private TestDatabase database;
    private JdbcEventStore store;
    private VolumeDriver driver;
    private final CommandContext user = CommandContext.system("test");

    @BeforeEach
    void setUp() throws Exception {
        Shell.run("rm", "-rf", ROOT.toString());
        database = new TestDatabase();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(database.url());
        ds.setUser(database.user);
        ds.setPassword(database.password);
        JdbcEventStore.migrate(ds);
        store = new JdbcEventStore(ds, Clock.systemUTC());
        driver = new LocalVolumeDriver(new LocalVolumeConfig(ROOT.resolve("volumes")));
    }

    @AfterEach
    void tearDown() throws Exception {
        Mounts.unmount(ROOT.resolve("volumes/scratch/_data"));
        store.close();
        database.close();
        Shell.run("rm", "-rf", ROOT.toString());
    }

    /** A fresh boot: projections rebuilt from the store, then the reconciler. */
    private Journal boot() {
        Journal journal = new Journal(store, Projections.rebuild(store));
        VolumeMounter mounter = new VolumeMounter(Map.of("local", driver),
                name -> journal.projections().read(p -> p.volumes().byName(name).map(v -> v.driver())));
        new VolumeReconciler(journal, new VolumeDrivers(Map.of("local", driver)), mounter).run();
        return journal;
    }

    private void created(Journal journal, String name) {
        VolumeInfo info = driver.create(new VolumeSpec(name, Map.of()));
        journal.append(StreamId.volume(name), ExpectedVersion.noStream(),
                new VolumeCreateRequested(name, "local", Map.of(), Map.of()), user);
        journal.append(StreamId.volume(name), ExpectedVersion.exactly(0),
                new VolumeCreated(name, "local", info.mountpoint().toString(), info.createdAt()), user);
    }

    private static Optional<VolumeView> volume(Journal journal, String name) {
        Optional<VolumeView> found = journal.projections().read(p -> p.volumes().byName(name));
        return found;
    }

    private List<String> types(String name) {
        return store.readStream(StreamId.volume(name)).stream().map(RecordedEvent::type).toList();
    }

    @Test
    void aRemovalThatNeverTookEffectKeepsTheVolumeAndItsData() throws Exception {
        Journal before = new Journal(store, Projections.rebuild(store));
        created(before, "precious");
        Files.writeString(ROOT.resolve("volumes/precious/_data/db"), "rows");
        // The service dies right after recording the intent, before the driver is asked.
        before.append(StreamId.volume("precious"), ExpectedVersion.exactly(1), new VolumeRemoveRequested("precious", false), user);

        Journal after = boot();

        assertThat(types("precious")).containsExactly("volume.create-requested", "volume.created",
                "volume.remove-requested", "volume.remove-failed");
        assertThat(store.readStream(StreamId.volume("precious")).get(3).actor().userName()).isEqualTo("reconcile");
        assertThat(volume(after, "precious")).isPresent();
        assertThat(ROOT.resolve("volumes/precious/_data/db")).hasContent("rows");
    }

    @Test
    void aRemovalTheDriverFinishedIsRecordedAsDone() {
        Journal before = new Journal(store, Projections.rebuild(store));
        created(before, "gone");
        before.append(StreamId.volume("gone"), ExpectedVersion.exactly(1), new VolumeRemoveRequested("gone", false), user);
        driver.remove("gone");

        Journal after = boot();

        assertThat(types("gone")).endsWith("volume.remove-requested", "volume.removed");
        assertThat(volume(after, "gone")).isEmpty();
    }

    @Test
    void aCreateCutShortIsDecidedByWhatTheDriverHolds() {
        Journal before = new Journal(store, Projections.rebuild(store));
        before.append(StreamId.volume("made"), ExpectedVersion.noStream(), new VolumeCreateRequested("made", "local", Map.of(), Map.of()), user);
        driver.create(new VolumeSpec("made", Map.of()));
        before.append(StreamId.volume("never"), ExpectedVersion.noStream(), new VolumeCreateRequested("never", "local", Map.of(), Map.of()), user);

        Journal after = boot();

        assertThat(types("made")).endsWith("volume.created");
        assertThat(types("never")).endsWith("volume.create-failed");
        assertThat(volume(after, "made").map(VolumeView::created)).contains(true);
        assertThat(volume(after, "never")).isEmpty();
    }

    @Test
    void aVolumeMountNoRunningContainerHoldsIsUndone() throws Exception {
        Journal before = new Journal(store, Projections.rebuild(store));
        created(before, "scratch");
        Path mountpoint = ROOT.resolve("volumes/scratch/_data");
        Mounts.mount(List.of(new MountSpec("tmpfs", "tmpfs", List.of("size=1m"))), mountpoint);

        boot();

        assertThat(Mounts.isMountPoint(mountpoint)).isFalse();
        assertThat(mountpoint).isDirectory();
    }
}
